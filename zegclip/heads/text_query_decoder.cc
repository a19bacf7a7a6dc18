#include "zegclip/heads/text_query_decoder.h"

#include <torch/nn/functional/activation.h>

#include "zegclip/nn/apply_layer_norm.h"
#include "zegclip/nn/apply_linear.h"


namespace zegclip::heads {

TextQueryDecoderLayerImpl::TextQueryDecoderLayerImpl(const TextQueryDecoderOptions& options) {
  const int64_t w = options.width;
  multihead_attn = register_module(
      "multihead_attn", MaskCrossAttention(MaskCrossAttentionOptions{w, options.heads, options.dropout}));
  dropout2 = register_module("dropout2", torch::nn::Dropout(options.dropout));
  norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({w})));
  linear1 = register_module("linear1", torch::nn::Linear(w, options.ffn_ratio * w));
  dropout = register_module("dropout", torch::nn::Dropout(options.dropout));
  linear2 = register_module("linear2", torch::nn::Linear(options.ffn_ratio * w, w));
  dropout3 = register_module("dropout3", torch::nn::Dropout(options.dropout));
  norm3 = register_module("norm3", torch::nn::LayerNorm(torch::nn::LayerNormOptions({w})));
}

MaskCrossAttentionOutput TextQueryDecoderLayerImpl::forward(const at::Tensor& queries, const at::Tensor& memory) {
  MaskCrossAttentionOutput attn = multihead_attn(queries, memory);
  at::Tensor x = nn::ApplyLayerNorm(norm2, queries + dropout2(attn.output));
  at::Tensor ffn = nn::ApplyLinear(linear2, dropout(torch::nn::functional::relu(nn::ApplyLinear(linear1, x))));
  x = nn::ApplyLayerNorm(norm3, x + dropout3(ffn));
  return {x, attn.scores};
}

TextQueryDecoderImpl::TextQueryDecoderImpl(const TextQueryDecoderOptions& options) : options_(options) {
  TORCH_CHECK(options_.layers > 0, "TextQueryDecoder: layers must be positive, got ", options_.layers);
  TORCH_CHECK(options_.ffn_ratio > 0, "TextQueryDecoder: ffn_ratio must be positive, got ", options_.ffn_ratio);
  TORCH_CHECK(options_.dropout >= 0.0 && options_.dropout < 1.0, "TextQueryDecoder: dropout must be in [0, 1), got ",
              options_.dropout);
  if (options_.input_projection) {
    input_proj = register_module("input_proj", torch::nn::Linear(options_.width, options_.width));
    proj_norm = register_module("proj_norm",
                                torch::nn::LayerNorm(torch::nn::LayerNormOptions({options_.width})));
  }
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < options_.layers; ++i) layers->push_back(TextQueryDecoderLayer(options_));
  ResetParameters();
}

void TextQueryDecoderImpl::ResetParameters() {
  torch::NoGradGuard no_grad;
  for (const std::shared_ptr<torch::nn::Module>& m : modules(/*include_self=*/false)) {
    if (auto* linear = m->as<torch::nn::Linear>()) {
      linear->weight.normal_(0.0, 0.02);
      linear->bias.zero_();
    } else if (auto* norm = m->as<torch::nn::LayerNorm>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
}

TextQueryDecoderOutput TextQueryDecoderImpl::ForwardWithQueries(const at::Tensor& queries, const at::Tensor& patches,
                                                                int64_t grid_h, int64_t grid_w) {
  const int64_t w = options_.width;
  TORCH_CHECK(queries.dim() == 3 && queries.size(2) == w, "TextQueryDecoder: queries must be (B, C, ", w,
              "), got ", queries.sizes());
  TORCH_CHECK(grid_h > 0 && grid_w > 0, "TextQueryDecoder: grid must be positive, got ", grid_h, "x", grid_w);
  TORCH_CHECK(patches.dim() == 3 && patches.size(0) == queries.size(0) && patches.size(1) == grid_h * grid_w &&
                  patches.size(2) == w,
              "TextQueryDecoder: patches must be (", queries.size(0), ", ", grid_h * grid_w, ", ", w, ") for a ",
              grid_h, "x", grid_w, " grid, got ", patches.sizes());
  at::Tensor memory = options_.input_projection ? nn::ApplyLayerNorm(proj_norm, nn::ApplyLinear(input_proj, patches)) : patches;
  const int64_t b = queries.size(0), c = queries.size(1);
  TextQueryDecoderOutput out;
  at::Tensor x = queries;
  for (const std::shared_ptr<torch::nn::Module>& m : *layers) {
    MaskCrossAttentionOutput step = m->as<TextQueryDecoderLayer>()->forward(x, memory);
    x = step.output;
    out.masks.push_back(step.scores.reshape({b, c, grid_h, grid_w}));
    out.queries.push_back(x);
  }
  return out;
}

std::vector<at::Tensor> TextQueryDecoderImpl::forward(const at::Tensor& queries, const at::Tensor& patches,
                                                      int64_t grid_h, int64_t grid_w) {
  return ForwardWithQueries(queries, patches, grid_h, grid_w).masks;
}

}  // namespace zegclip::heads
