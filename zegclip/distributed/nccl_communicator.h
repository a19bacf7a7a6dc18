// The NCCL backend (Horovod's split): MPI launches the ranks and carries control (rank numbering, the NCCL unique id,
// barriers, abort); NCCL moves the data between GPUs. Compiled only where ZEGCLIP_WITH_NCCL is defined (the CMake
// mirror on CUDA hosts); the Bazel build never compiles nccl_communicator.cc.
//
// Start-up: each rank binds GPU <local rank> (OMPI_COMM_WORLD_LOCAL_RANK / SLURM_LOCALID, else MPI's shared-memory
// split); more ranks on a host than GPUs is an error that aborts every rank. Rank 0 makes the ncclUniqueId, MPI
// broadcasts it, every rank calls ncclCommInitRank.
//
// Allreduces run on the communicator's own CUDA stream (as DDP's and Horovod's do), after the work the caller's
// current stream had queued when it started them, so backward's kernels go on while NCCL moves a bucket. Wait()
// orders the caller's current stream after the allreduce and holds the host until it is done while polling
// ncclCommGetAsyncError, so a NCCL failure or a collective stuck past the timeout aborts every rank (the NCCL
// communicator is aborted first, then MPI_Abort) instead of hanging. Broadcasts run on the current stream and block.
//
// Example (mpirun -np 4 on a 4-GPU host):
//   NcclCommunicator comm(/*timeout_seconds=*/600);
//   at::Tensor g = at::ones({1024}, at::TensorOptions().device(comm.device()));
//   comm.AllReduceSum(g);   // every element is 4
#ifndef ZEGCLIP_DISTRIBUTED_NCCL_COMMUNICATOR_H_
#define ZEGCLIP_DISTRIBUTED_NCCL_COMMUNICATOR_H_

#ifdef ZEGCLIP_WITH_NCCL

#include <memory>
#include <string>

#include <nccl.h>

#include "zegclip/distributed/collective_watchdog.h"
#include "zegclip/distributed/communicator.h"
#include "zegclip/distributed/mpi_communicator.h"

namespace zegclip::distributed {

class NcclCommunicator : public Communicator {
 public:
  explicit NcclCommunicator(double timeout_seconds = 600);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override { return control_->rank(); }
  int size() const override { return control_->size(); }
  int local_rank() const override { return control_->local_rank(); }
  std::string backend() const override { return "nccl"; }
  at::Device device() const override { return at::Device(at::kCUDA, static_cast<at::DeviceIndex>(local_rank())); }

  std::unique_ptr<CollectiveWork> StartAllReduceSum(const at::Tensor& tensor) override;
  void Broadcast(at::Tensor& tensor, int root) override;
  void Barrier() override;
  [[noreturn]] void Abort(const std::string& why) override;

  using Communicator::Broadcast;

 private:
  void CheckNccl(ncclResult_t result, const char* call);
  void CheckCuda(int error, const char* call);
  void CheckDeviceTensor(const at::Tensor& tensor, const char* call) const;
  // Blocks until the work enqueued on `stream` so far is done, aborting on a NCCL error.
  void WaitFor(void* stream, const char* call);
  // Blocks until `event` (a cudaEvent_t, recorded) has happened, aborting on a NCCL error or the timeout.
  void WaitForEvent(void* event, const char* call);

  class AllReduceWork;

  std::unique_ptr<MpiCommunicator> control_;
  std::unique_ptr<CollectiveWatchdog> watchdog_;
  ncclComm_t comm_ = nullptr;
  void* event_ = nullptr;        // cudaEvent_t, kept opaque so this header needs no CUDA headers
  void* comm_stream_ = nullptr;  // cudaStream_t: where allreduces run
};

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_WITH_NCCL
#endif  // ZEGCLIP_DISTRIBUTED_NCCL_COMMUNICATOR_H_
