// bf16 autocast of CPU ops for a scope (the forward pass of a training step), as PyTorch's
// `torch.autocast("cpu", dtype=torch.bfloat16)`: matmuls, linear layers and convolutions run in bf16 through oneDNN,
// the rest stays fp32, parameters stay fp32 (the master weights the optimizer updates). Only where the CPU computes
// bf16 natively (AVX-512 BF16, which AMX CPUs have too): elsewhere bf16 is emulated and slower than fp32, so the
// scope stays off and the step runs in fp32. Restores the previous state on exit, so scopes nest.
//
// Measured on the 2-core development machine (AMD EPYC with AVX-512 BF16, LibTorch 1.13): a 4352x128 by 128x512
// GEMM, the quickstart's MLP, 3.9 ms in fp32 (OpenBLAS), 1.5 ms in bf16 (oneDNN); the attention's 1024 small
// batched products 3.4 ms against 0.2 ms.
//
// Example:
//   {
//     CpuBf16Autocast autocast(options.bf16);  // active() == false without native bf16
//     out = step();
//   }
//   out.loss.backward();
#ifndef ZEGCLIP_TRAIN_CPU_AUTOCAST_H_
#define ZEGCLIP_TRAIN_CPU_AUTOCAST_H_

#include <c10/core/ScalarType.h>

namespace zegclip::train {

class CpuBf16Autocast {
 public:
  explicit CpuBf16Autocast(bool enabled);
  ~CpuBf16Autocast();
  CpuBf16Autocast(const CpuBf16Autocast&) = delete;
  CpuBf16Autocast& operator=(const CpuBf16Autocast&) = delete;

  // Whether this scope turned CPU autocast on.
  bool active() const { return active_; }

  // Whether this CPU computes bf16 natively.
  static bool Supported();
  // Whether CPU autocast is on for this thread right now, and its dtype.
  static bool Enabled();
  static c10::ScalarType Dtype();

 private:
  bool active_ = false;
  bool previous_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::BFloat16;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_CPU_AUTOCAST_H_
