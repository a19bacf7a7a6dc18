// Data-parallel gradient averaging the way PyTorch DDP's Reducer does it: parameters are broadcast from rank 0 once
// at start; each step, gradients accumulate straight into flat per-bucket buffers (every trainable .grad is a view
// into its bucket, bucket_assignment.h), and a hook on each parameter's gradient accumulator notices when a bucket's
// last gradient has arrived and starts that bucket's allreduce while backward goes on computing the rest. Buckets
// start in index order on every rank (so collectives line up); AllReduceGradients starts what backward did not
// (buckets of parameters unused this step: their zero gradients take part) and waits for all of them, so only the
// communication left after backward is on the critical path. After the first step the buckets are rebuilt once in
// the order gradients actually arrived on rank 0, as DDP does.
//
// One rank: nothing is reduced; ZeroGrad sets gradients to none and AllReduceGradients zero-fills unused ones.
// With BucketOptions::overlap false, every bucket starts in AllReduceGradients (the non-overlapped baseline).
// Overlap needs one backward per step: a gradient arriving twice between ZeroGrad and AllReduceGradients is an error.
//
// Example:
//   GradientBucketer bucketer(model->parameters(), comm.get(), BucketOptions{});
//   bucketer.BroadcastParameters();          // every rank starts from rank 0's weights
//   for (...) {
//     bucketer.ZeroGrad();                   // instead of optimizer.zero_grad(): arms the hooks
//     loss.backward();                       // buckets start as their gradients arrive
//     bucketer.AllReduceGradients();         // .grad = mean over ranks
//     optimizer.step();
//   }
#ifndef ZEGCLIP_DISTRIBUTED_GRADIENT_BUCKETER_H_
#define ZEGCLIP_DISTRIBUTED_GRADIENT_BUCKETER_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <ATen/ATen.h>

#include "zegclip/distributed/bucket_assignment.h"
#include "zegclip/distributed/collective_work.h"
#include "zegclip/distributed/communicator.h"

namespace torch::autograd {
struct Node;
}

namespace zegclip::distributed {

// Broadcasts every tensor in place from `root` (parameters, buffers). Works on parameters that require grad.
void BroadcastTensors(Communicator& comm, const std::vector<at::Tensor>& tensors, int root = 0);

class GradientBucketer {
 public:
  // `parameters`: all of the model's parameters (frozen ones too: they are broadcast but never reduced).
  GradientBucketer(std::vector<at::Tensor> parameters, Communicator* comm, BucketOptions options = {});
  // Removes the hooks: the parameters outlive the bucketer.
  ~GradientBucketer();
  GradientBucketer(const GradientBucketer&) = delete;
  GradientBucketer& operator=(const GradientBucketer&) = delete;

  // Every parameter (trainable or not) takes rank `root`'s value.
  void BroadcastParameters(int root = 0);
  // Starts a step (call it where optimizer.zero_grad() would go). Several ranks: every trainable gradient becomes
  // a zeroed view into its bucket, and with overlap the hooks are armed for the next backward (the buckets are
  // rebuilt first, once, after the first step: a collective). One rank: gradients are set to none.
  void ZeroGrad();
  // Each trainable parameter's .grad becomes the mean over ranks (undefined grads count as zeros).
  void AllReduceGradients();

  // The trainable parameters, in the original order; Bucket::indices point into this list.
  const std::vector<at::Tensor>& trainable() const { return trainable_; }
  const std::vector<Bucket>& buckets() const { return buckets_; }
  bool overlap() const { return !hooks_.empty(); }
  // The last AllReduceGradients: seconds it took (the optimizer's wait for communication), and how many buckets
  // had been started by backward before it was called.
  double last_wait_seconds() const { return last_wait_seconds_; }
  int last_started_in_backward() const { return last_started_in_backward_; }

 private:
  class ReadyHook;
  void AllocateBuffers();
  void InstallHooks();
  void RebuildBuckets();
  // Called by the hook of trainable tensor `index` once its gradient is accumulated.
  void OnGradReady(int index);
  // Packs bucket `b` (gradients that are not views yet are copied in), divides it by the world size and starts its
  // allreduce. Holds mutex_.
  void StartBucket(size_t b);

  std::vector<at::Tensor> parameters_;
  std::vector<at::Tensor> trainable_;
  Communicator* comm_;
  BucketOptions options_;
  std::vector<Bucket> buckets_;
  std::vector<at::Tensor> flat_;    // one buffer per bucket (several ranks only)
  std::vector<at::Tensor> views_;   // per trainable tensor: its slot in its bucket, shaped like it
  std::vector<int> bucket_of_;      // per trainable tensor: its bucket

  // Step state, guarded by mutex_: hooks run on autograd's threads (one per device).
  std::mutex mutex_;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators_;  // keeps them, and their hooks, alive
  std::vector<uintptr_t> hooks_;
  bool armed_ = false;
  std::vector<char> ready_;          // per trainable tensor: its gradient arrived this step
  std::vector<int64_t> pending_;     // per bucket: gradients still to arrive
  size_t next_bucket_ = 0;           // the next bucket to start (index order, on every rank)
  std::vector<std::unique_ptr<CollectiveWork>> works_;
  std::vector<int> arrival_;         // the first armed step's arrival order
  int64_t armed_steps_ = 0;
  bool rebuilt_ = false;
  double last_wait_seconds_ = 0;
  int last_started_in_backward_ = 0;
};

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_GRADIENT_BUCKETER_H_
