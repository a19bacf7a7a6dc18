// A byte string as a 1-D uint8 CPU tensor and back: how a checkpoint stores opaque records (the optimizer's state,
// the RNG states) among its tensors.
//
// Example:
//   at::Tensor t = ByteTensorFromString(bytes);     // t.numel() == bytes.size()
//   std::string same = StringFromByteTensor(t);     // == bytes
#ifndef ZEGCLIP_BASE_BYTE_TENSOR_H_
#define ZEGCLIP_BASE_BYTE_TENSOR_H_

#include <string>
#include <string_view>

#include <ATen/ATen.h>

namespace zegclip::base {

at::Tensor ByteTensorFromString(std::string_view bytes);

// Every element in order, from any device or layout. Throws c10::Error for a tensor that is not uint8; a tensor read
// from a file must first pass CheckTensorInStorage (tensor_bounds.h).
std::string StringFromByteTensor(const at::Tensor& tensor);

}  // namespace zegclip::base

#endif  // ZEGCLIP_BASE_BYTE_TENSOR_H_
