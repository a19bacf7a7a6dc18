#include "zegclip/base/byte_tensor.h"

#include <cstdint>
#include <cstring>

namespace zegclip::base {

at::Tensor ByteTensorFromString(std::string_view bytes) {
  at::Tensor t = at::empty({static_cast<int64_t>(bytes.size())}, at::TensorOptions().dtype(at::kByte));
  if (!bytes.empty()) std::memcpy(t.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  return t;
}

std::string StringFromByteTensor(const at::Tensor& tensor) {
  const at::Tensor t = tensor.to(at::kCPU).contiguous();
  return std::string(reinterpret_cast<const char*>(t.data_ptr<uint8_t>()), static_cast<size_t>(t.numel()));
}

}  // namespace zegclip::base
