#include "zegclip/base/tensor_bounds.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace zegclip::base {
namespace {

absl::Status OutOfBounds(const at::Tensor& t, const std::string& what, const std::string& why) {
  return absl::DataLossError(absl::StrCat(what, ": shape [", absl::StrJoin(t.sizes(), ", "), "] with strides [",
                                          absl::StrJoin(t.strides(), ", "), "] at offset ", t.storage_offset(), " ",
                                          why, " (a damaged or edited file)"));
}

}  // namespace

absl::Status CheckTensorInStorage(const at::Tensor& tensor, const std::string& what) {
  if (!tensor.defined()) return absl::OkStatus();
  if (tensor.layout() != at::kStrided || tensor.is_quantized() || !tensor.has_storage()) {
    return absl::DataLossError(absl::StrCat(what, ": a ", c10::toString(tensor.layout()),
                                            " tensor; expected a plain (strided) one"));
  }
  for (int64_t size : tensor.sizes()) {
    if (size < 0) return OutOfBounds(tensor, what, "has a negative size");
  }
  if (tensor.numel() == 0) return absl::OkStatus();
  if (tensor.storage_offset() < 0) return OutOfBounds(tensor, what, "starts before its storage");
  // The last element addressed, computed without overflow.
  int64_t last = tensor.storage_offset();
  for (int64_t d = 0; d < tensor.dim(); ++d) {
    const int64_t stride = tensor.stride(d);
    if (stride < 0) return OutOfBounds(tensor, what, "has a negative stride");
    int64_t step = 0;
    if (__builtin_mul_overflow(tensor.size(d) - 1, stride, &step) || __builtin_add_overflow(last, step, &last)) {
      return OutOfBounds(tensor, what, "addresses more elements than memory holds");
    }
  }
  const int64_t item = static_cast<int64_t>(tensor.element_size());
  const int64_t held = static_cast<int64_t>(tensor.storage().nbytes()) / item;
  if (last >= held) {
    return OutOfBounds(tensor, what, absl::StrCat("needs ", last + 1, " elements; its storage holds ", held));
  }
  return absl::OkStatus();
}

}  // namespace zegclip::base
