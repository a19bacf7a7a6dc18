// One pre-LayerNorm transformer block of CLIP:  x += attn(ln_1(x));  x += mlp(ln_2(x)),
// each residual branch optionally dropped per sample in training (stochastic depth).
// Key names follow OpenAI: `attn.*`, `ln_1.*`, `mlp.c_fc.*`, `mlp.c_proj.*`, `ln_2.*`.
//
// Example:
//   ResidualAttentionBlock block(ResidualAttentionBlockOptions{/*width=*/768, /*heads=*/12});
//   at::Tensor y = block->forward(x);   // x, y: (B, L, 768)
#ifndef ZEGCLIP_CLIP_RESIDUAL_ATTENTION_BLOCK_H_
#define ZEGCLIP_CLIP_RESIDUAL_ATTENTION_BLOCK_H_

#include <cstdint>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "zegclip/clip/mlp.h"
#include "zegclip/clip/self_attention.h"

namespace zegclip::clip {

struct ResidualAttentionBlockOptions {
  int64_t width = 0;
  int64_t heads = 1;
  bool causal = false;
  bool fused_attention = true;
  // Probability of dropping each residual branch of a sample while training.
  double drop_path = 0.0;
};

class ResidualAttentionBlockImpl : public torch::nn::Module {
 public:
  explicit ResidualAttentionBlockImpl(const ResidualAttentionBlockOptions& options);

  // x: (B, L, width) -> (B, L, width).
  at::Tensor forward(const at::Tensor& x);

  double drop_path() const { return drop_path_; }

  SelfAttention attn{nullptr};
  torch::nn::LayerNorm ln_1{nullptr};
  Mlp mlp{nullptr};
  torch::nn::LayerNorm ln_2{nullptr};

 private:
  double drop_path_;
};
TORCH_MODULE(ResidualAttentionBlock);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_RESIDUAL_ATTENTION_BLOCK_H_
