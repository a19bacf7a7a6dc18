// The one-process communicator: collectives are identities. Used when the job is not launched by mpirun / srun, so
// the trainer runs the same code path with or without data parallelism. Needs no MPI.
//
// Example:
//   SingleCommunicator comm;
//   comm.AllReduceSum(grad);   // grad unchanged; comm.size() == 1
#ifndef ZEGCLIP_DISTRIBUTED_SINGLE_COMMUNICATOR_H_
#define ZEGCLIP_DISTRIBUTED_SINGLE_COMMUNICATOR_H_

#include <string>

#include "zegclip/distributed/communicator.h"

namespace zegclip::distributed {

class SingleCommunicator : public Communicator {
 public:
  // `device` is where scalar helpers place their tensors (CPU unless the trainer runs on one GPU).
  explicit SingleCommunicator(at::Device device = at::kCPU) : device_(device) {}

  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  std::string backend() const override { return "single"; }
  at::Device device() const override { return device_; }

  std::unique_ptr<CollectiveWork> StartAllReduceSum(const at::Tensor& tensor) override;
  void Broadcast(at::Tensor& tensor, int root) override;
  void Barrier() override {}
  [[noreturn]] void Abort(const std::string& why) override;

  using Communicator::Broadcast;

 private:
  at::Device device_;
};

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_SINGLE_COMMUNICATOR_H_
