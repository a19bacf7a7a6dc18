// Whether a tensor read from a file addresses only its own storage. LibTorch's archive readers (torch::load,
// torch::jit::load, the unpickler of torch.save files) rebuild each tensor from the sizes, strides and storage
// offset the file states, without checking them against the storage they also read: a damaged or hostile file gives
// a tensor whose elements lie past its buffer, and the first read of it (a copy, isfinite) reads foreign memory
// (found by checkpoint_fuzzer under ASan). Every tensor a reader hands on is checked here first.
//
// Example:
//   for (const auto& [name, t] : tensors) {
//     if (absl::Status s = CheckTensorInStorage(t, path + ": tensor '" + name + "'"); !s.ok()) return s;
//   }
#ifndef ZEGCLIP_BASE_TENSOR_BOUNDS_H_
#define ZEGCLIP_BASE_TENSOR_BOUNDS_H_

#include <ATen/ATen.h>

#include <string>

#include "absl/status/status.h"

namespace zegclip::base {

// OK for an undefined tensor, an empty one, or a strided CPU/CUDA tensor whose every element (storage offset plus
// (size - 1) x stride over each dimension, strides >= 0) lies inside its storage's bytes. Otherwise DataLoss:
//   "<what>: shape [4, 4] with strides [4, 1] at offset 2 needs 18 elements; its storage holds 16"
// Other layouts (sparse, quantized, ...) are refused: nothing this project reads from a file holds them.
absl::Status CheckTensorInStorage(const at::Tensor& tensor, const std::string& what);

}  // namespace zegclip::base

#endif  // ZEGCLIP_BASE_TENSOR_BOUNDS_H_
