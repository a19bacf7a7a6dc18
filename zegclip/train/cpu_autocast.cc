#include "zegclip/train/cpu_autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace zegclip::train {
namespace {

// LibTorch 2.4 replaced the per-device calls (set_cpu_enabled, set_autocast_cpu_dtype) by device-taking ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
void SetEnabled(bool on) { at::autocast::set_autocast_enabled(at::kCPU, on); }
bool IsEnabled() { return at::autocast::is_autocast_enabled(at::kCPU); }
void SetDtype(c10::ScalarType t) { at::autocast::set_autocast_dtype(at::kCPU, t); }
c10::ScalarType GetDtype() { return at::autocast::get_autocast_dtype(at::kCPU); }
#else
void SetEnabled(bool on) { at::autocast::set_cpu_enabled(on); }
bool IsEnabled() { return at::autocast::is_cpu_enabled(); }
void SetDtype(c10::ScalarType t) { at::autocast::set_autocast_cpu_dtype(t); }
c10::ScalarType GetDtype() { return at::autocast::get_autocast_cpu_dtype(); }
#endif

}  // namespace

bool CpuBf16Autocast::Supported() {
#if defined(__x86_64__) && defined(__GNUC__)
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

CpuBf16Autocast::CpuBf16Autocast(bool enabled) {
  if (!enabled || !Supported()) return;
  active_ = true;
  previous_enabled_ = IsEnabled();
  previous_dtype_ = GetDtype();
  SetEnabled(true);
  SetDtype(at::kBFloat16);
  at::autocast::increment_nesting();
}

CpuBf16Autocast::~CpuBf16Autocast() {
  if (!active_) return;
  // As torch.autocast.__exit__: the cached bf16 copies of the weights die with the outermost scope.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  SetEnabled(previous_enabled_);
  SetDtype(previous_dtype_);
}

bool CpuBf16Autocast::Enabled() { return IsEnabled(); }
c10::ScalarType CpuBf16Autocast::Dtype() { return GetDtype(); }

}  // namespace zegclip::train
