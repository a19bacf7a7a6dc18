#include "zegclip/train/rng_state.h"

#include <cstdint>
#include <cstring>
#include <mutex>

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/core/Generator.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include "absl/strings/str_cat.h"
#include "zegclip/base/exception_text.h"

namespace zegclip::train {
namespace {

// A generator's state is a uint8 CPU tensor.
std::string StateBytes(const at::Tensor& state) {
  const at::Tensor t = state.to(at::kCPU).contiguous();
  return std::string(reinterpret_cast<const char*>(t.data_ptr<uint8_t>()), static_cast<size_t>(t.numel()));
}

at::Tensor StateTensor(const char* data, size_t size) {
  at::Tensor t = at::empty({static_cast<int64_t>(size)}, at::TensorOptions().dtype(at::kByte));
  if (size > 0) std::memcpy(t.data_ptr<uint8_t>(), data, size);
  return t;
}

void SetState(int64_t device_type, const at::Tensor& state) {
  if (device_type == static_cast<int64_t>(at::kCPU)) {
    at::Generator cpu = at::globalContext().defaultGenerator(at::Device(at::kCPU));
    std::lock_guard<std::mutex> lock(cpu.mutex());
    cpu.set_state(state);
  } else if (device_type == static_cast<int64_t>(at::kCUDA) && at::hasCUDA()) {
    const c10::impl::VirtualGuardImpl cuda_guard(c10::DeviceType::CUDA);
    at::Generator cuda = at::globalContext().defaultGenerator(cuda_guard.getDevice());
    std::lock_guard<std::mutex> lock(cuda.mutex());
    cuda.set_state(state);
  }
}

}  // namespace

std::string CaptureRngState() {
  // Layout: one or two records of [int64 device type][int64 length][state bytes]: CPU, then CUDA if present.
  std::string out;
  auto append = [&out](int64_t device_type, const at::Tensor& state) {
    const std::string bytes = StateBytes(state);
    const int64_t header[2] = {device_type, static_cast<int64_t>(bytes.size())};
    out.append(reinterpret_cast<const char*>(header), sizeof(header));
    out.append(bytes);
  };
  {
    at::Generator cpu = at::globalContext().defaultGenerator(at::Device(at::kCPU));
    std::lock_guard<std::mutex> lock(cpu.mutex());
    append(static_cast<int64_t>(at::kCPU), cpu.get_state());
  }
  if (at::hasCUDA()) {
    const c10::impl::VirtualGuardImpl cuda_guard(c10::DeviceType::CUDA);
    at::Generator cuda = at::globalContext().defaultGenerator(cuda_guard.getDevice());
    std::lock_guard<std::mutex> lock(cuda.mutex());
    append(static_cast<int64_t>(at::kCUDA), cuda.get_state());
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
    const at::Tensor state = StateTensor(bytes.data() + pos, static_cast<size_t>(header[1]));
    pos += static_cast<size_t>(header[1]);
    try {
      SetState(header[0], state);
    } catch (const std::exception& e) {
      return absl::DataLossError(absl::StrCat("RNG state: cannot restore: ", base::ExceptionFirstLine(e)));
    }
  }
  return absl::OkStatus();
}

}  // namespace zegclip::train
