// CLIP's transformer MLP: c_fc Linear(W, 4W) → QuickGELU (nn/quick_gelu.h) → c_proj Linear(4W, W), with OpenAI's key names
// (`mlp.c_fc.*`, `mlp.c_proj.*`).
//
// Example:
//   Mlp mlp(/*width=*/512);
//   at::Tensor y = mlp->forward(x);   // x, y: (..., 512)
#ifndef ZEGCLIP_CLIP_MLP_H_
#define ZEGCLIP_CLIP_MLP_H_

#include <cstdint>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace zegclip::clip {

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(int64_t width);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::Linear c_fc{nullptr};
  torch::nn::Linear c_proj{nullptr};
};
TORCH_MODULE(Mlp);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_MLP_H_
