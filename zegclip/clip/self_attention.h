// Multi-head self-attention with the parameter layout of torch.nn.MultiheadAttention (in_proj_weight (3W, W),
// in_proj_bias (3W), out_proj Linear(W, W)), so OpenAI CLIP's `attn.*` keys load name-for-name. Batch-first.
//
// Two kernels compute the same function: at::scaled_dot_product_attention (LibTorch >= 2.0; fused, memory-lean)
// and an explicit q·kᵀ/√d → softmax → ·v path that works on every version. `fused` picks the first where it
// exists.
//
// Example:
//   SelfAttention attn(SelfAttentionOptions{/*width=*/512, /*heads=*/8, /*causal=*/true});
//   at::Tensor y = attn->forward(x);   // x, y: (batch, tokens, 512)
#ifndef ZEGCLIP_CLIP_SELF_ATTENTION_H_
#define ZEGCLIP_CLIP_SELF_ATTENTION_H_

#include <cstdint>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace zegclip::clip {

struct SelfAttentionOptions {
  int64_t width = 0;
  int64_t heads = 1;
  // Token t attends only to tokens <= t (CLIP's text tower).
  bool causal = false;
  // Prefer the fused kernel where this LibTorch has one.
  bool fused = true;
};

class SelfAttentionImpl : public torch::nn::Module {
 public:
  explicit SelfAttentionImpl(const SelfAttentionOptions& options);

  // x: (B, L, width) -> (B, L, width).
  at::Tensor forward(const at::Tensor& x);

  // True when this LibTorch build has at::scaled_dot_product_attention.
  static bool FusedKernelAvailable();
  void set_fused(bool fused) { options_.fused = fused; }
  // The kernel forward() runs now.
  bool uses_fused_kernel() const { return options_.fused && FusedKernelAvailable(); }
  const SelfAttentionOptions& options() const { return options_; }

  at::Tensor in_proj_weight;  // (3·width, width): rows [q; k; v]
  at::Tensor in_proj_bias;    // (3·width)
  torch::nn::Linear out_proj{nullptr};

 private:
  // q, k, v: (B, heads, L, head_dim) -> (B, heads, L, head_dim).
  at::Tensor ExplicitAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) const;

  SelfAttentionOptions options_;
};
TORCH_MODULE(SelfAttention);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_SELF_ATTENTION_H_
