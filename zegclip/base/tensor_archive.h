// A plain archive of named tensors: the file Python's `torch.save({"name": tensor, ...}, path)` writes (zip format),
// read here WITHOUT Python through LibTorch's unpickler. It is what tools/convert_zegclip_checkpoint.py turns the
// authors' mmseg `.pth` into (their file also pickles mmcv / numpy objects a C++ unpickler cannot rebuild).
//
// Example:
//   absl::StatusOr<TensorMap> state = ReadTensorArchive("zegclip_voc.tensors");
//   if (!state.ok()) return state.status();          // "zegclip_voc.tensors: ..." one line
//   at::Tensor q = state->at("decode_head.q_proj.weight");
//   absl::Status s = WriteTensorArchive(*state, "copy.tensors");   // torch.load(...) in Python gives the dict back
#ifndef ZEGCLIP_BASE_TENSOR_ARCHIVE_H_
#define ZEGCLIP_BASE_TENSOR_ARCHIVE_H_

#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::base {

// Sorted by name, so listings and error messages are stable.
using TensorMap = std::map<std::string, at::Tensor>;

// Errors (naming the file): missing or unreadable, not a torch.save zip archive, the top-level object not a dict of
// string → tensor (the offending key is named).
absl::StatusOr<TensorMap> ReadTensorArchive(const std::string& path);

// Writes the tensors (moved to the CPU, made contiguous) as a dict, atomically (temporary file, then rename).
absl::Status WriteTensorArchive(const TensorMap& tensors, const std::string& path);

// Writes any picklable value (dicts of strings, tensors, lists, ints, ...) as torch.save's zip format, atomically;
// Python's torch.load reads it back. Tensors must already be on the CPU.
absl::Status WritePickledFile(const c10::IValue& value, const std::string& path);

}  // namespace zegclip::base

#endif  // ZEGCLIP_BASE_TENSOR_ARCHIVE_H_
