// bf16 autocast of CUDA ops for a scope (the forward pass of a training step), as PyTorch's
// `torch.autocast("cuda", dtype=torch.bfloat16)`: matmuls and convolutions run in bf16, reductions and losses stay
// fp32, parameters stay fp32. A no-op when not enabled or when CUDA is unavailable (the CPU build trains in fp32),
// and it restores the previous autocast state on exit, so scopes nest. Backward runs outside the scope.
//
// Example:
//   {
//     CudaBf16Autocast autocast(options.bf16);  // active() == false on a CPU-only machine
//     out = step();
//   }
//   out.loss.backward();
#ifndef ZEGCLIP_TRAIN_CUDA_AUTOCAST_H_
#define ZEGCLIP_TRAIN_CUDA_AUTOCAST_H_

#include <c10/core/ScalarType.h>

namespace zegclip::train {

class CudaBf16Autocast {
 public:
  explicit CudaBf16Autocast(bool enabled);
  ~CudaBf16Autocast();
  CudaBf16Autocast(const CudaBf16Autocast&) = delete;
  CudaBf16Autocast& operator=(const CudaBf16Autocast&) = delete;

  // Whether this scope turned CUDA autocast on.
  bool active() const { return active_; }

  // Whether CUDA autocast is on for this thread right now, and its dtype.
  static bool Enabled();
  static c10::ScalarType Dtype();

 private:
  bool active_ = false;
  bool previous_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Half;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_CUDA_AUTOCAST_H_
