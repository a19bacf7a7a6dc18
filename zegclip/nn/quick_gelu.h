// OpenAI's sigmoid approximation of GELU, x · σ(1.702 x), which every CLIP MLP applies. CLIP was trained with it, so
// exact GELU would drift.
//
// On the CPU (float, bf16, double) the backward is one fused pass instead of autograd's five (two muls,
// sigmoid_backward, the 1.702 scale, the add of the two paths), each of which allocates a tensor of the MLP's hidden
// size: in the quickstart's bf16 steps these were the largest elementwise cost left. The forward is the composed
// one, so values are bit-identical to ComposedQuickGelu; the gradient is computed in fp32 and rounded once.
//
// Example:
//   at::Tensor h = QuickGelu(ApplyLinear(c_fc, x));
#ifndef ZEGCLIP_NN_QUICK_GELU_H_
#define ZEGCLIP_NN_QUICK_GELU_H_

#include <ATen/ATen.h>

namespace zegclip::nn {

// The fused version on CPU tensors of float, bf16 or double; ComposedQuickGelu elsewhere (CUDA, half).
at::Tensor QuickGelu(const at::Tensor& x);

// x * sigmoid(1.702 x) in ATen ops, differentiated by autograd: the reference the fused version is tested against.
at::Tensor ComposedQuickGelu(const at::Tensor& x);

}  // namespace zegclip::nn

#endif  // ZEGCLIP_NN_QUICK_GELU_H_
