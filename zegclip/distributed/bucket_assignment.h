// Which gradients travel together: DDP's bucket assignment. Gradients are packed into flat buckets in the order
// backward produces them, so a bucket's allreduce can start as soon as its last gradient is ready.
//
// Bucket sizes follow DDP: the first bucket closes once it holds >= first_bucket_bytes (1 MiB, so communication can
// start early), later ones at >= bucket_bytes (25 MiB). A bucket holds one dtype on one device; a limit of 0 gives
// one tensor per bucket (the per-tensor baseline).
//
// Example:
//   std::vector<Bucket> buckets = AssignBuckets(trainable, BucketOptions{});   // reverse registration order
//   buckets = AssignBucketsInOrder(trainable, arrival_order, BucketOptions{});  // after one step (DDP's rebuild)
#ifndef ZEGCLIP_DISTRIBUTED_BUCKET_ASSIGNMENT_H_
#define ZEGCLIP_DISTRIBUTED_BUCKET_ASSIGNMENT_H_

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

namespace zegclip::distributed {

struct BucketOptions {
  int64_t first_bucket_bytes = int64_t{1} << 20;
  int64_t bucket_bytes = int64_t{25} << 20;
  // Start each bucket's allreduce from backward, the moment its last gradient is accumulated (gradient-ready hooks,
  // as DDP's Reducer); false: every bucket after backward has finished.
  bool overlap = true;
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

// The same walk over `tensors` in `order` (indices into `tensors`, each once: the order gradients arrived in during
// a step); indices in the result still point into `tensors`.
std::vector<Bucket> AssignBucketsInOrder(const std::vector<at::Tensor>& tensors, const std::vector<int>& order,
                                         const BucketOptions& options);

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_BUCKET_ASSIGNMENT_H_
