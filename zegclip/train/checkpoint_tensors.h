// Read-only access to the model tensors of a training checkpoint (checkpoint.h's format) without building the model,
// and their comparison: what tools and tests need to check that two runs ended with the same weights (a 2-rank run
// against one process on the combined batch, a resumed run against an uninterrupted one).
//
// Example:
//   absl::StatusOr<NamedTensors> a = ReadCheckpointTensors("runs/a/iter_6.ckpt");
//   absl::StatusOr<NamedTensors> b = ReadCheckpointTensors("runs/b/iter_6.ckpt");
//   absl::StatusOr<TensorDifference> d = CompareTensors(*a, *b);   // d->max_relative, d->worst_tensor
#ifndef ZEGCLIP_TRAIN_CHECKPOINT_TENSORS_H_
#define ZEGCLIP_TRAIN_CHECKPOINT_TENSORS_H_

#include <map>
#include <string>

#include <ATen/ATen.h>

#include "absl/status/statusor.h"

namespace zegclip::train {

// Parameters and buffers by dotted name.
using NamedTensors = std::map<std::string, at::Tensor>;

// The model tensors stored in the checkpoint at `path`. Errors name the file (missing, corrupt, not a checkpoint).
absl::StatusOr<NamedTensors> ReadCheckpointTensors(const std::string& path);

struct TensorDifference {
  // max over tensors of max|a - b| / max(max|a|, max|b|) (0 where both are all zeros): a per-tensor relative
  // difference, so elements near zero do not blow it up.
  double max_relative = 0;
  double max_absolute = 0;  // max over all elements of |a - b|
  std::string worst_tensor;  // the tensor with the largest relative difference ("" when all are identical)
  int64_t differing_elements = 0;  // elements that are not bit-identical (NaNs count as equal to NaNs)
};

// Compares two sets of tensors in double precision. Name sets, shapes and dtypes must agree (an error names the
// first mismatch).
absl::StatusOr<TensorDifference> CompareTensors(const NamedTensors& a, const NamedTensors& b);

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_CHECKPOINT_TENSORS_H_
