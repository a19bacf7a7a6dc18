// ZegCLIP's text-query mask decoder: C class queries (from the relationship descriptor, or the text embeddings
// themselves) cross-attend to the H·W patch embeddings of the image encoder for `layers` post-norm layers; each
// layer's head-averaged PRE-softmax attention scores, reshaped to the patch grid, are that layer's mask logits.
// The prediction is the last layer's mask; the others serve optional deep supervision.
//
// Layer (no self-attention, unlike nn.TransformerDecoderLayer whose unused one the authors still carried):
//   x = LayerNorm(x + Dropout(CrossAttn(x, patches)))
//   x = LayerNorm(x + Dropout(Linear(Dropout(ReLU(Linear(x))))))      width -> ffn_ratio·width -> width
//
// Example:
//   TextQueryDecoder decoder(TextQueryDecoderOptions{});
//   std::vector<at::Tensor> masks = decoder(queries, patches, 32, 32);  // (B,C,512), (B,1024,512)
//   masks.back();                                                      // (B, C, 32, 32) mask logits
#ifndef ZEGCLIP_HEADS_TEXT_QUERY_DECODER_H_
#define ZEGCLIP_HEADS_TEXT_QUERY_DECODER_H_

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "zegclip/heads/mask_cross_attention.h"

namespace zegclip::heads {

struct TextQueryDecoderOptions {
  int64_t layers = 3;
  int64_t width = 512;
  int64_t heads = 8;
  int64_t ffn_ratio = 4;
  double dropout = 0.1;  // attention weights, attention output, FFN hidden and FFN output
  // Linear + LayerNorm on the patch embeddings before they become keys/values (the authors' use_proj; their
  // released configs keep it off).
  bool input_projection = false;
};

// One post-norm layer. Submodule names follow nn.TransformerDecoderLayer as the authors used it (multihead_attn,
// norm2, linear1, linear2, norm3) for name-for-name weight import.
class TextQueryDecoderLayerImpl : public torch::nn::Module {
 public:
  explicit TextQueryDecoderLayerImpl(const TextQueryDecoderOptions& options);

  // queries (B, C, width), memory (B, HW, width) -> {updated queries (B, C, width), scores (B, C, HW)}.
  MaskCrossAttentionOutput forward(const at::Tensor& queries, const at::Tensor& memory);

  MaskCrossAttention multihead_attn{nullptr};
  torch::nn::Dropout dropout2{nullptr}, dropout{nullptr}, dropout3{nullptr};
  torch::nn::LayerNorm norm2{nullptr}, norm3{nullptr};
  torch::nn::Linear linear1{nullptr}, linear2{nullptr};
};
TORCH_MODULE(TextQueryDecoderLayer);

struct TextQueryDecoderOutput {
  std::vector<at::Tensor> masks;    // per layer, (B, C, grid_h, grid_w); back() is the prediction
  std::vector<at::Tensor> queries;  // per layer, the updated queries (B, C, width)
};

class TextQueryDecoderImpl : public torch::nn::Module {
 public:
  explicit TextQueryDecoderImpl(const TextQueryDecoderOptions& options);

  // queries (B, C, width); patches (B, grid_h·grid_w, width), row-major over the grid. Returns each layer's mask
  // logits (B, C, grid_h, grid_w), last = prediction.
  std::vector<at::Tensor> forward(const at::Tensor& queries, const at::Tensor& patches, int64_t grid_h,
                                  int64_t grid_w);
  // Same, with the per-layer queries as well.
  TextQueryDecoderOutput ForwardWithQueries(const at::Tensor& queries, const at::Tensor& patches, int64_t grid_h,
                                            int64_t grid_w);

  // The authors' init_weights: every Linear normal(0, 0.02) with zero bias (timm's trunc_normal_ bounds ±2 are
  // ±100σ, so no truncation happens), every LayerNorm weight 1 and bias 0.
  void ResetParameters();

  const TextQueryDecoderOptions& options() const { return options_; }

  torch::nn::Linear input_proj{nullptr};    // only with input_projection
  torch::nn::LayerNorm proj_norm{nullptr};  // only with input_projection
  torch::nn::ModuleList layers{nullptr};    // of TextQueryDecoderLayer

 private:
  TextQueryDecoderOptions options_;
};
TORCH_MODULE(TextQueryDecoder);

}  // namespace zegclip::heads

#endif  // ZEGCLIP_HEADS_TEXT_QUERY_DECODER_H_
