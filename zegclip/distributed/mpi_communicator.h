// The MPI backend: collectives on CPU tensors over MPI (CUDA tensors are staged through host memory). It also serves
// as the control plane of the NCCL backend (rank numbering, the NCCL id broadcast, barriers, abort).
//
// MPI is initialised once per process (MPI_Init_thread, MPI_THREAD_MULTIPLE requested so the watchdog thread may
// call MPI_Abort) and finalised at exit. Every collective runs on the communicator's background thread
// (collective_queue.h) in call order, so StartAllReduceSum returns at once and the caller computes while MPI moves
// the data; blocking calls are a start and a wait. Where MPI grants less than MPI_THREAD_SERIALIZED, collectives run
// on the calling thread and StartAllReduceSum returns finished work. Each communicator works on its own duplicate of
// MPI_COMM_WORLD with MPI_ERRORS_RETURN, so a failing call is reported as "[rank r/n] MPI_Allreduce failed: <MPI's
// message>" and every rank is aborted. A collective in flight longer than `timeout_seconds` aborts every rank too.
//
// Supported dtypes: float32, float64, int32, int64, uint8, int8 (sum and broadcast); bfloat16 and float16 (sum via a
// custom MPI op that adds in float32 and rounds, broadcast as raw 16-bit words); bool (broadcast only).
//
// Example (run as `mpirun -np 2 prog`):
//   MpiCommunicator comm(/*timeout_seconds=*/600);
//   at::Tensor x = at::full({4}, comm.rank() + 1.0);
//   comm.AllReduceSum(x);   // every element is 3 on both ranks
#ifndef ZEGCLIP_DISTRIBUTED_MPI_COMMUNICATOR_H_
#define ZEGCLIP_DISTRIBUTED_MPI_COMMUNICATOR_H_

#include <memory>
#include <string>

#include <mpi.h>

#include "zegclip/distributed/collective_queue.h"
#include "zegclip/distributed/collective_watchdog.h"
#include "zegclip/distributed/communicator.h"

namespace zegclip::distributed {

class MpiCommunicator : public Communicator {
 public:
  // timeout_seconds <= 0 disables the watchdog.
  explicit MpiCommunicator(double timeout_seconds = 600);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  // Number of ranks on this host.
  int local_size() const { return local_size_; }
  std::string backend() const override { return "mpi"; }
  at::Device device() const override { return at::kCPU; }

  // CPU tensors: queued on the background thread. CUDA tensors are staged through host memory synchronously.
  std::unique_ptr<CollectiveWork> StartAllReduceSum(const at::Tensor& tensor) override;
  void Broadcast(at::Tensor& tensor, int root) override;
  void Barrier() override;
  [[noreturn]] void Abort(const std::string& why) override;

  using Communicator::Broadcast;

  // Broadcasts raw bytes from `root` (the NCCL backend sends its unique id with this).
  void BroadcastBytes(void* data, int64_t bytes, int root);
  // The thread-support level MPI granted (MPI_THREAD_MULTIPLE unless the library lacks it).
  static int ThreadLevel();

 private:
  // Aborts every rank with "<call> failed: <MPI's message>" unless rc is MPI_SUCCESS.
  void Check(int rc, const char* call);
  // Run on the queue's thread: the blocking MPI calls.
  void AllReduceSumHost(const at::Tensor& tensor);
  void BroadcastHost(const at::Tensor& tensor, int root);

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  int local_size_ = 1;
  std::unique_ptr<CollectiveWatchdog> watchdog_;
  std::unique_ptr<CollectiveQueue> queue_;  // last: stopped first, while the communicator is whole
};

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_MPI_COMMUNICATOR_H_
