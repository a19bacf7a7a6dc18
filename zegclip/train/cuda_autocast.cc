#include "zegclip/train/cuda_autocast.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace zegclip::train {
namespace {

// LibTorch 2.4 replaced the CUDA-only calls (set_enabled, set_autocast_gpu_dtype) by per-device ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
void SetEnabled(bool on) { at::autocast::set_autocast_enabled(at::kCUDA, on); }
bool IsEnabled() { return at::autocast::is_autocast_enabled(at::kCUDA); }
void SetDtype(c10::ScalarType t) { at::autocast::set_autocast_dtype(at::kCUDA, t); }
c10::ScalarType GetDtype() { return at::autocast::get_autocast_dtype(at::kCUDA); }
#else
void SetEnabled(bool on) { at::autocast::set_enabled(on); }
bool IsEnabled() { return at::autocast::is_enabled(); }
void SetDtype(c10::ScalarType t) { at::autocast::set_autocast_gpu_dtype(t); }
c10::ScalarType GetDtype() { return at::autocast::get_autocast_gpu_dtype(); }
#endif

}  // namespace

CudaBf16Autocast::CudaBf16Autocast(bool enabled) {
  if (!enabled || !at::hasCUDA()) return;
  active_ = true;
  previous_enabled_ = IsEnabled();
  previous_dtype_ = GetDtype();
  SetEnabled(true);
  SetDtype(at::kBFloat16);
  at::autocast::increment_nesting();
}

CudaBf16Autocast::~CudaBf16Autocast() {
  if (!active_) return;
  // As torch.autocast.__exit__: the cached bf16 copies of the weights die with the outermost scope.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  SetEnabled(previous_enabled_);
  SetDtype(previous_dtype_);
}

bool CudaBf16Autocast::Enabled() { return IsEnabled(); }
c10::ScalarType CudaBf16Autocast::Dtype() { return GetDtype(); }

}  // namespace zegclip::train
