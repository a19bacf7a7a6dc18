#include "zegclip/train/rng_state.h"

#include <cstdint>
#include <cstring>
#include <mutex>
#include <string_view>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/core/Generator.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include "absl/strings/str_cat.h"
#include "zegclip/base/byte_tensor.h"
#include "zegclip/base/exception_text.h"

namespace zegclip::train {
namespace {

// The default generator of the CPU, or of the current CUDA device.
at::Generator DefaultGenerator(c10::DeviceType type) {
  if (type == c10::DeviceType::CPU) return at::globalContext().defaultGenerator(at::Device(at::kCPU));
  const c10::impl::VirtualGuardImpl guard(type);
  return at::globalContext().defaultGenerator(guard.getDevice());
}

void SetState(int64_t device_type, const at::Tensor& state) {
  // (A CUDA state is skipped on a machine without CUDA: that resume cannot be exact anyway.)
  const bool known = device_type == static_cast<int64_t>(at::kCPU) ||
                     (device_type == static_cast<int64_t>(at::kCUDA) && at::hasCUDA());
  if (!known) return;
  at::Generator generator = DefaultGenerator(static_cast<c10::DeviceType>(device_type));
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

}  // namespace

std::string CaptureRngState() {
  // Layout: one or two records of [int64 device type][int64 length][state bytes]: CPU, then CUDA if present.
  std::string out;
  auto append = [&out](int64_t device_type, const at::Tensor& state) {
    const std::string bytes = base::StringFromByteTensor(state);  // a generator's state is uint8
    const int64_t header[2] = {device_type, static_cast<int64_t>(bytes.size())};
    out.append(reinterpret_cast<const char*>(header), sizeof(header));
    out.append(bytes);
  };
  std::vector<c10::DeviceType> types = {c10::DeviceType::CPU};
  if (at::hasCUDA()) types.push_back(c10::DeviceType::CUDA);
  for (const c10::DeviceType type : types) {
    at::Generator generator = DefaultGenerator(type);
    std::lock_guard<std::mutex> lock(generator.mutex());
    append(static_cast<int64_t>(type), generator.get_state());
  }
  return out;
}

absl::Status RestoreRngState(const std::string& bytes) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    int64_t header[2];
    if (bytes.size() - pos < sizeof(header)) return absl::DataLossError("RNG state: truncated record header");
    std::memcpy(header, bytes.data() + pos, sizeof(header));
    pos += sizeof(header);
    if (header[1] < 0 || static_cast<size_t>(header[1]) > bytes.size() - pos) {
      return absl::DataLossError("RNG state: truncated record");
    }
    const size_t length = static_cast<size_t>(header[1]);
    const at::Tensor state = base::ByteTensorFromString(std::string_view(bytes).substr(pos, length));
    pos += length;
    try {
      SetState(header[0], state);
    } catch (const std::exception& e) {
      return absl::DataLossError(absl::StrCat("RNG state: cannot restore: ", base::ExceptionFirstLine(e)));
    }
  }
  return absl::OkStatus();
}

}  // namespace zegclip::train
