#include "zegclip/clip/clip_model.h"

#include <cmath>
#include <vector>

#include <torch/nn/init.h>

#include "zegclip/nn/apply_layer_norm.h"

namespace zegclip::clip {

ClipModelImpl::ClipModelImpl(const ClipOptions& options, const PromptOptions& prompt)
    : options_(options), prompt_(prompt) {
  TORCH_CHECK(options.context_length > 0 && options.vocab_size > 0 && options.embed_dim > 0,
              "ClipModel: context_length, vocab_size and embed_dim must be positive");
  visual = register_module("visual", VisionTransformer(VisionOptionsFrom(options, prompt)));
  transformer = register_module(
      "transformer", Transformer(TransformerOptions{options.text_width, options.text_layers, options.text_heads,
                                                    /*causal=*/true, options.fused_attention,
                                                    /*max_drop_path=*/0.0}));
  token_embedding = register_module("token_embedding", torch::nn::Embedding(options.vocab_size, options.text_width));
  positional_embedding = register_parameter("positional_embedding",
                                            at::empty({options.context_length, options.text_width}));
  ln_final = register_module("ln_final", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.text_width})));
  text_projection = register_parameter("text_projection", at::empty({options.text_width, options.embed_dim}));
  logit_scale = register_parameter("logit_scale", at::full({}, std::log(1.0 / 0.07)));
  InitializeParameters();
}

void ClipModelImpl::InitializeParameters() {
  at::NoGradGuard no_grad;
  const double width = static_cast<double>(options_.text_width);
  const double layers = static_cast<double>(options_.text_layers);
  torch::nn::init::normal_(token_embedding->weight, 0.0, 0.02);
  torch::nn::init::normal_(positional_embedding, 0.0, 0.01);
  const double proj_std = std::pow(width, -0.5) * std::pow(2.0 * layers, -0.5);
  const double attn_std = std::pow(width, -0.5);
  const double fc_std = std::pow(2.0 * width, -0.5);
  for (int64_t i = 0; i < transformer->layers(); ++i) {
    ResidualAttentionBlock& block = transformer->block(i);
    torch::nn::init::normal_(block->attn->in_proj_weight, 0.0, attn_std);
    torch::nn::init::normal_(block->attn->out_proj->weight, 0.0, proj_std);
    torch::nn::init::normal_(block->mlp->c_fc->weight, 0.0, fc_std);
    torch::nn::init::normal_(block->mlp->c_proj->weight, 0.0, proj_std);
  }
  torch::nn::init::normal_(text_projection, 0.0, attn_std);
}

at::Tensor ClipModelImpl::EncodeText(const at::Tensor& tokens) {
  TORCH_CHECK(tokens.dim() == 2 && tokens.scalar_type() == at::kLong && tokens.size(1) >= 1 &&
                  tokens.size(1) <= options_.context_length,
              "ClipModel::EncodeText: expected int64 tokens (N, L) with 1 <= L <= ", options_.context_length,
              ", got ", tokens.scalar_type(), " ", tokens.sizes());
  const int64_t n = tokens.size(0);
  const int64_t length = tokens.size(1);
  at::Tensor x = token_embedding(tokens) + positional_embedding.narrow(0, 0, length).unsqueeze(0);
  x = nn::ApplyLayerNorm(ln_final, transformer(x));  // (N, L, text_width)
  // OpenAI pools the end-of-text token, which has the largest id in each row.
  at::Tensor eot = tokens.argmax(-1).view({n, 1, 1}).expand({n, 1, x.size(2)});
  return at::matmul(x.gather(1, eot).squeeze(1), text_projection);
}

at::Tensor ClipModelImpl::EncodeImage(const at::Tensor& images) { return visual->forward(images); }

at::Tensor ClipModelImpl::forward(const at::Tensor& images, const at::Tensor& tokens) {
  at::Tensor image = EncodeImage(images);
  at::Tensor text = EncodeText(tokens);
  image = image / image.norm(2, {-1}, /*keepdim=*/true);
  text = text / text.norm(2, {-1}, /*keepdim=*/true);
  return logit_scale.exp() * at::matmul(image, text.t());
}

std::vector<at::Tensor> ClipModelImpl::VisualTrainableParameters() const {
  std::vector<at::Tensor> trainable;
  for (const at::Tensor& p : visual->parameters()) {
    if (p.requires_grad()) trainable.push_back(p);
  }
  return trainable;
}

void ClipModelImpl::SetFusedAttention(bool fused) {
  options_.fused_attention = fused;
  visual->set_fused_attention(fused);
  transformer->set_fused_attention(fused);
}

}  // namespace zegclip::clip
