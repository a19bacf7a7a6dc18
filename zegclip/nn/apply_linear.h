// y = x Wᵀ + b for a torch::nn::Linear through ATen's linear: one GEMM with the bias in its epilogue for inputs of
// any rank, as PyTorch's nn.Linear runs it. LibTorch's own torch::nn::Linear::forward (torch::nn::functional::linear)
// runs matmul and then `output += bias` for inputs that are not 2-D: an extra kernel per layer and, under bf16
// autocast, an in-place bf16 += fp32 add on ATen's slow type-casting path (H200 kernel profile of ViT-B/16 at batch
// 16: 55 such adds per batch, 4.2 ms of an 18.5 ms forward pass).
//
// Example:
//   at::Tensor y = ApplyLinear(c_fc, x);   // x (B, L, W) -> (B, L, 4W)
#ifndef ZEGCLIP_NN_APPLY_LINEAR_H_
#define ZEGCLIP_NN_APPLY_LINEAR_H_

#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>

namespace zegclip::nn {

inline at::Tensor ApplyLinear(const torch::nn::Linear& layer, const at::Tensor& x) {
  return at::linear(x, layer->weight, layer->bias);
}

}  // namespace zegclip::nn

#endif  // ZEGCLIP_NN_APPLY_LINEAR_H_
