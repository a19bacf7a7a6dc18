#include "zegclip/clip/transformer.h"

#include <vector>

#include "zegclip/clip/drop_path.h"

namespace zegclip::clip {

TransformerImpl::TransformerImpl(const TransformerOptions& options) {
  TORCH_CHECK(options.layers > 0, "Transformer: layers must be positive, got ", options.layers);
  resblocks = register_module("resblocks", torch::nn::ModuleList());
  const std::vector<double> rates = DropPathSchedule(options.max_drop_path, options.layers);
  for (int64_t i = 0; i < options.layers; ++i) {
    ResidualAttentionBlock block(ResidualAttentionBlockOptions{options.width, options.heads, options.causal,
                                                               options.fused_attention,
                                                               rates[static_cast<size_t>(i)]});
    resblocks->push_back(block);
    blocks_.push_back(block);
  }
}

at::Tensor TransformerImpl::forward(const at::Tensor& x) {
  at::Tensor y = x;
  for (ResidualAttentionBlock& block : blocks_) y = block->forward(y);
  return y;
}

ResidualAttentionBlock& TransformerImpl::block(int64_t i) {
  TORCH_CHECK(i >= 0 && i < layers(), "Transformer: block ", i, " out of range [0, ", layers(), ")");
  return blocks_[static_cast<size_t>(i)];
}

void TransformerImpl::set_fused_attention(bool fused) {
  for (ResidualAttentionBlock& block : blocks_) block->attn->set_fused(fused);
}

}  // namespace zegclip::clip
