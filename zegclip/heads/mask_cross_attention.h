// Multi-head cross-attention that also hands back its pre-softmax scores, averaged over heads: in ZegCLIP these
// scores ARE the segmentation mask logits (class query i against patch j). Separate q/k/v projections with bias,
// dropout on the attention weights, an output projection; submodule names follow the authors' Attention class
// (q, k, v, proj) so weights import name for name.
//
// Example:
//   MaskCrossAttention attn(MaskCrossAttentionOptions{512, 8, 0.1});
//   MaskCrossAttentionOutput out = attn(queries, patches);  // (B,C,512), (B,HW,512)
//   out.output;  // (B, C, 512)
//   out.scores;  // (B, C, HW), q·k/sqrt(64) averaged over the 8 heads
#ifndef ZEGCLIP_HEADS_MASK_CROSS_ATTENTION_H_
#define ZEGCLIP_HEADS_MASK_CROSS_ATTENTION_H_

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace zegclip::heads {

struct MaskCrossAttentionOptions {
  int64_t width = 512;
  int64_t heads = 8;
  double attn_dropout = 0.1;  // on the softmax weights only; the scores returned are before it
};

struct MaskCrossAttentionOutput {
  at::Tensor output;  // (B, Nq, width): attention result after the output projection
  at::Tensor scores;  // (B, Nq, Nk): pre-softmax q·k/sqrt(head_dim), mean over heads
};

class MaskCrossAttentionImpl : public torch::nn::Module {
 public:
  explicit MaskCrossAttentionImpl(const MaskCrossAttentionOptions& options);

  // query: (B, Nq, width); memory: (B, Nk, width), used as both keys and values.
  MaskCrossAttentionOutput forward(const at::Tensor& query, const at::Tensor& memory);

  const MaskCrossAttentionOptions& options() const { return options_; }

  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, proj{nullptr};
  torch::nn::Dropout attn_drop{nullptr};

 private:
  MaskCrossAttentionOptions options_;
};
TORCH_MODULE(MaskCrossAttention);

}  // namespace zegclip::heads

#endif  // ZEGCLIP_HEADS_MASK_CROSS_ATTENTION_H_
