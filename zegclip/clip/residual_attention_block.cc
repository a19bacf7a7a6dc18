#include "zegclip/clip/residual_attention_block.h"

#include <vector>

#include "zegclip/clip/drop_path.h"
#include "zegclip/nn/apply_layer_norm.h"

namespace zegclip::clip {

ResidualAttentionBlockImpl::ResidualAttentionBlockImpl(const ResidualAttentionBlockOptions& options)
    : drop_path_(options.drop_path) {
  TORCH_CHECK(options.drop_path >= 0.0 && options.drop_path < 1.0,
              "ResidualAttentionBlock: drop_path must be in [0, 1), got ", options.drop_path);
  attn = register_module(
      "attn", SelfAttention(SelfAttentionOptions{options.width, options.heads, options.causal,
                                                 options.fused_attention}));
  // LayerNorm eps 1e-5, as torch.nn.LayerNorm in OpenAI's model.
  ln_1 = register_module("ln_1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.width})));
  mlp = register_module("mlp", Mlp(options.width));
  ln_2 = register_module("ln_2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.width})));
}

at::Tensor ResidualAttentionBlockImpl::forward(const at::Tensor& x) {
  at::Tensor y = x + DropPath(attn(nn::ApplyLayerNorm(ln_1, x)), drop_path_, is_training());
  return y + DropPath(mlp(nn::ApplyLayerNorm(ln_2, y)), drop_path_, is_training());
}

}  // namespace zegclip::clip
