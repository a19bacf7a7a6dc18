// A stack of CLIP residual attention blocks (`resblocks.0` … `resblocks.{layers-1}`), used by both towers.
// Stochastic depth grows linearly over depth: block i drops with max_drop_path · i / (layers − 1).
//
// Example:
//   Transformer t(TransformerOptions{/*width=*/512, /*layers=*/12, /*heads=*/8, /*causal=*/true});
//   at::Tensor y = t->forward(x);            // (B, L, 512)
//   at::Tensor z = t->block(0)->forward(x);  // one block at a time (deep prompt tuning)
#ifndef ZEGCLIP_CLIP_TRANSFORMER_H_
#define ZEGCLIP_CLIP_TRANSFORMER_H_

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include "zegclip/clip/residual_attention_block.h"

namespace zegclip::clip {

struct TransformerOptions {
  int64_t width = 0;
  int64_t layers = 0;
  int64_t heads = 1;
  bool causal = false;
  bool fused_attention = true;
  double max_drop_path = 0.0;
};

class TransformerImpl : public torch::nn::Module {
 public:
  explicit TransformerImpl(const TransformerOptions& options);

  // x: (B, L, width) -> (B, L, width), through every block.
  at::Tensor forward(const at::Tensor& x);

  int64_t layers() const { return static_cast<int64_t>(blocks_.size()); }
  ResidualAttentionBlock& block(int64_t i);
  // Switches every block between the fused and the explicit attention kernel.
  void set_fused_attention(bool fused);

  torch::nn::ModuleList resblocks{nullptr};

 private:
  std::vector<ResidualAttentionBlock> blocks_;  // typed handles to resblocks' children
};
TORCH_MODULE(Transformer);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_TRANSFORMER_H_
