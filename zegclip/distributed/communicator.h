// The data-parallel communicator: the few collectives the trainer needs, behind one interface with three backends
// (single process, MPI on CPU tensors, NCCL on CUDA tensors; see communicator_factory.h to pick one).
//
// Every rank must call the same collectives in the same order with tensors of the same shape and dtype. Collectives
// work in place on contiguous tensors. An allreduce can also be started and waited for later (StartAllReduceSum):
// the trainer overlaps gradient communication with backward that way; started and blocking collectives still run in
// the order they were called. A failing collective aborts EVERY rank with a message naming the rank and the
// call: training cannot continue with ranks out of step, and a clean abort beats a hang.
//
// Example:
//   std::unique_ptr<Communicator> comm = *CreateCommunicator(DistOptions{});
//   at::Tensor grad = ...;                       // same shape on every rank
//   comm->AllReduceSum(grad);                    // grad = sum over ranks
//   grad.div_(comm->size());                     // ... now the mean
//   double mean_loss = comm->AllReduceMean(loss.item<double>());
//   auto work = comm->StartAllReduceSum(bucket);   // returns at once ...
//   work->Wait();                                 // ... bucket = sum over ranks
#ifndef ZEGCLIP_DISTRIBUTED_COMMUNICATOR_H_
#define ZEGCLIP_DISTRIBUTED_COMMUNICATOR_H_

#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "zegclip/distributed/collective_work.h"

namespace zegclip::distributed {

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Rank among the processes on this host (binds a process to a GPU).
  virtual int local_rank() const = 0;
  // "single", "mpi" or "nccl".
  virtual std::string backend() const = 0;
  // Where this backend wants tensors: CPU for single/mpi, the rank's CUDA device for nccl.
  virtual at::Device device() const = 0;

  // Starts tensor = sum of every rank's tensor, in place; the result is there once the returned work's Wait()
  // returns, and the tensor must not be used before. The tensor must be contiguous.
  virtual std::unique_ptr<CollectiveWork> StartAllReduceSum(const at::Tensor& tensor) = 0;
  // In place: tensor = sum of every rank's tensor (StartAllReduceSum, then Wait). The tensor must be contiguous.
  void AllReduceSum(const at::Tensor& tensor) { StartAllReduceSum(tensor)->Wait(); }
  // In place: tensor = root's tensor on every rank. The tensor must be contiguous.
  virtual void Broadcast(at::Tensor& tensor, int root) = 0;
  virtual void Barrier() = 0;
  // Prints "[rank r/size] aborting: why" and terminates every rank. Never returns.
  [[noreturn]] virtual void Abort(const std::string& why) = 0;

  // Scalar helpers (one small collective each). Every rank must call them together.
  double AllReduceSum(double value);
  double AllReduceMean(double value);
  // Element-wise sum / mean of a vector that has the same length on every rank.
  std::vector<double> AllReduceSum(const std::vector<double>& values);
  std::vector<double> AllReduceMean(const std::vector<double>& values);
  // Rank 0's value on every rank.
  double Broadcast(double value);
  // Every rank's byte string, indexed by rank (strings may differ in length).
  std::vector<std::string> AllGather(const std::string& bytes);

  bool is_main() const { return rank() == 0; }
  // "[rank r/size]": the prefix of every diagnostic a backend prints.
  std::string RankTag() const;
};

// Throws (TORCH_CHECK) unless `tensor` is defined and contiguous; `call` names the collective in the message.
void CheckCollectiveInput(const at::Tensor& tensor, const char* call);

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_COMMUNICATOR_H_
