// Data-parallel gradient averaging the way PyTorch DDP does it: parameters are broadcast from rank 0 once at start;
// after backward, gradients are packed into flat buckets filled in REVERSE parameter order (the order backward
// produces them), one allreduce per bucket, divided by the world size and copied back into each .grad.
//
// Bucket sizes follow DDP: the first bucket closes once it holds >= first_bucket_bytes (1 MiB, so communication can
// start early), later ones at >= bucket_bytes (25 MiB). A bucket holds one dtype on one device; a limit of 0 gives
// one tensor per bucket (the per-tensor baseline). Only parameters with requires_grad take part; one whose .grad is
// undefined (unused in this step) contributes zeros and receives the average.
//
// Example:
//   GradientBucketer bucketer(model->parameters(), comm.get(), BucketOptions{});
//   bucketer.BroadcastParameters();          // every rank starts from rank 0's weights
//   for (...) { loss.backward(); bucketer.AllReduceGradients(); optimizer.step(); }
#ifndef ZEGCLIP_DISTRIBUTED_GRADIENT_BUCKETER_H_
#define ZEGCLIP_DISTRIBUTED_GRADIENT_BUCKETER_H_

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "zegclip/distributed/communicator.h"

namespace zegclip::distributed {

struct BucketOptions {
  int64_t first_bucket_bytes = int64_t{1} << 20;
  int64_t bucket_bytes = int64_t{25} << 20;
};

// One flat bucket: which tensors it holds (indices into the list given to AssignBuckets, in fill order) and where
// each one starts in the flat buffer (in elements).
struct Bucket {
  std::vector<int> indices;
  std::vector<int64_t> offsets;
  int64_t numel = 0;
  at::ScalarType dtype = at::kFloat;
  at::Device device = at::kCPU;
};

// DDP's assignment: walk `tensors` from last to first, one open bucket per (dtype, device); a bucket closes as soon
// as its bytes reach its limit (first_bucket_bytes for the first bucket of each kind, bucket_bytes after). Buckets
// are returned in the order they close; unfilled ones follow in the order they were opened.
std::vector<Bucket> AssignBuckets(const std::vector<at::Tensor>& tensors, const BucketOptions& options);

// Broadcasts every tensor in place from `root` (parameters, buffers). Works on parameters that require grad.
void BroadcastTensors(Communicator& comm, const std::vector<at::Tensor>& tensors, int root = 0);

class GradientBucketer {
 public:
  // `parameters`: all of the model's parameters (frozen ones too: they are broadcast but never reduced).
  GradientBucketer(std::vector<at::Tensor> parameters, Communicator* comm, BucketOptions options = {});

  // Every parameter (trainable or not) takes rank `root`'s value.
  void BroadcastParameters(int root = 0);
  // Each trainable parameter's .grad becomes the mean over ranks (undefined grads count as zeros).
  void AllReduceGradients();

  // The trainable parameters, in the original order; Bucket::indices point into this list.
  const std::vector<at::Tensor>& trainable() const { return trainable_; }
  const std::vector<Bucket>& buckets() const { return buckets_; }

 private:
  std::vector<at::Tensor> parameters_;
  std::vector<at::Tensor> trainable_;
  Communicator* comm_;
  std::vector<Bucket> buckets_;
  std::vector<at::Tensor> flat_;  // one persistent buffer per bucket
};

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_GRADIENT_BUCKETER_H_
