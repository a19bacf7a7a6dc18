#include "zegclip/clip/vision_transformer.h"

#include <cmath>
#include <vector>

#include <torch/nn/functional/dropout.h>
#include <torch/nn/init.h>

#include "zegclip/nn/apply_layer_norm.h"

namespace zegclip::clip {
namespace {

// x / ‖x‖ over the last dim, exactly as the authors (no epsilon: features are never zero in practice).
at::Tensor L2Normalize(const at::Tensor& x) { return x / x.norm(2, {-1}, /*keepdim=*/true); }

}  // namespace

VisionTransformerOptions VisionOptionsFrom(const ClipOptions& clip, const PromptOptions& prompt) {
  VisionTransformerOptions options;
  options.image_resolution = clip.image_resolution;
  options.patch_size = clip.patch_size;
  options.width = clip.vision_width;
  options.layers = clip.vision_layers;
  options.heads = clip.vision_heads;
  options.output_dim = clip.embed_dim;
  options.drop_path = clip.drop_path;
  options.fused_attention = clip.fused_attention;
  options.intermediate_layers = clip.intermediate_layers;
  options.class_embedding_twice = clip.class_embedding_twice;
  options.prompt = prompt;
  return options;
}

VisionTransformerImpl::VisionTransformerImpl(const VisionTransformerOptions& options) : options_(options) {
  TORCH_CHECK(options.patch_size > 0 && options.image_resolution % options.patch_size == 0,
              "VisionTransformer: image_resolution (", options.image_resolution,
              ") must be a positive multiple of patch_size (", options.patch_size, ")");
  const int64_t w = options.width;
  const int64_t grid = options.image_resolution / options.patch_size;
  keep_intermediate_.assign(static_cast<size_t>(options.layers), false);
  for (size_t k = 0; k < options.intermediate_layers.size(); ++k) {
    const int64_t layer = options.intermediate_layers[k];
    TORCH_CHECK(layer >= 0 && layer < options.layers && (k == 0 || layer > options.intermediate_layers[k - 1]),
                "VisionTransformer: intermediate_layers must be strictly increasing block indices in [0, ",
                options.layers, "), got ", layer, " at position ", k);
    keep_intermediate_[static_cast<size_t>(layer)] = true;
  }
  conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, w, options.patch_size)
                                                          .stride(options.patch_size)
                                                          .bias(false)));
  // OpenAI: scale · randn for the class and positional embeddings and the projection, scale = width^-1/2.
  const double scale = 1.0 / std::sqrt(static_cast<double>(w));
  class_embedding = register_parameter("class_embedding", at::randn({w}) * scale);
  positional_embedding = register_parameter("positional_embedding", at::randn({grid * grid + 1, w}) * scale);
  ln_pre = register_module("ln_pre", torch::nn::LayerNorm(torch::nn::LayerNormOptions({w})));
  transformer = register_module(
      "transformer", Transformer(TransformerOptions{w, options.layers, options.heads, /*causal=*/false,
                                                    options.fused_attention, options.drop_path}));
  ln_post = register_module("ln_post", torch::nn::LayerNorm(torch::nn::LayerNormOptions({w})));
  proj = register_parameter("proj", at::randn({w, options.output_dim}) * scale);
  if (UsesPrompts(options.prompt.mode)) RegisterPrompts();
}

void VisionTransformerImpl::RegisterPrompts() {
  const PromptOptions& prompt = options_.prompt;
  const int64_t w = options_.width;
  TORCH_CHECK(prompt.tokens > 0, "VisionTransformer: prompt tokens must be positive, got ", prompt.tokens);
  TORCH_CHECK(prompt.dropout >= 0.0 && prompt.dropout < 1.0, "VisionTransformer: prompt dropout must be in [0, 1)",
              ", got ", prompt.dropout);
  const bool deep = prompt.mode == EncoderMode::kDeepPrompt;
  TORCH_CHECK(!deep || (prompt.depth >= 1 && prompt.depth <= options_.layers - 1),
              "VisionTransformer: deep prompt depth must be in [1, ", options_.layers - 1, "], got ", prompt.depth);
  // VPT's "xavier-uniform-like" bound for a p×p×3 patch feeding a width-W token.
  const double p = static_cast<double>(options_.patch_size);
  const double bound = std::sqrt(6.0 / (3.0 * p * p + static_cast<double>(w)));
  prompt_embeddings = register_parameter("prompt_embeddings", at::empty({1, prompt.tokens, w}).uniform_(-bound, bound));
  if (deep) {
    deep_prompt_embeddings = register_parameter(
        "deep_prompt_embeddings", at::empty({prompt.depth, prompt.tokens, w}).uniform_(-bound, bound));
  }
  prompt_proj = register_module("prompt_proj", torch::nn::Linear(w, w));
  {
    at::NoGradGuard no_grad;
    torch::nn::init::kaiming_normal_(prompt_proj->weight, /*a=*/0.0, torch::kFanOut);
  }
  // The released code only applies prompt_norm in deep mode, so shallow mode does not create it.
  if (deep) {
    prompt_norm = register_module("prompt_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({w}).eps(1e-6)));
  }
}

std::vector<at::Tensor> VisionTransformerImpl::PromptParameters() const {
  std::vector<at::Tensor> params;
  if (!has_prompts()) return params;
  params.push_back(prompt_embeddings);
  if (deep_prompt_embeddings.defined()) params.push_back(deep_prompt_embeddings);
  for (const at::Tensor& t : prompt_proj->parameters()) params.push_back(t);
  if (prompt_norm) {
    for (const at::Tensor& t : prompt_norm->parameters()) params.push_back(t);
  }
  return params;
}

at::Tensor VisionTransformerImpl::ProjectPrompts(const at::Tensor& prompts, int64_t batch) {
  at::Tensor projected = prompt_proj(prompts).unsqueeze(0).expand({batch, prompts.size(0), prompts.size(1)});
  namespace F = torch::nn::functional;
  return F::dropout(projected, F::DropoutFuncOptions().p(options_.prompt.dropout).training(is_training()));
}

at::Tensor VisionTransformerImpl::Embed(const at::Tensor& images, int64_t* grid_h, int64_t* grid_w) {
  const int64_t p = options_.patch_size;
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "VisionTransformer: expected images (B, 3, H, W), got ",
              images.sizes());
  TORCH_CHECK(images.size(2) % p == 0 && images.size(3) % p == 0 && images.size(2) > 0 && images.size(3) > 0,
              "VisionTransformer: image size ", images.size(2), "x", images.size(3),
              " must be a positive multiple of the patch size ", p);
  const int64_t batch = images.size(0);
  const int64_t w = options_.width;
  at::Tensor patches = conv1(images);  // (B, W, gh, gw)
  *grid_h = patches.size(2);
  *grid_w = patches.size(3);
  patches = patches.flatten(2).transpose(1, 2);  // (B, gh·gw, W), row-major grid
  at::Tensor cls = class_embedding.to(patches.scalar_type()).view({1, 1, w}).expand({batch, 1, w});
  at::Tensor pos = position_cache_.Get(positional_embedding, *grid_h, *grid_w).to(patches.scalar_type());
  if (options_.class_embedding_twice) {
    pos = at::cat({pos.narrow(0, 0, 1) + class_embedding.to(pos.scalar_type()).view({1, w}),
                   pos.narrow(0, 1, pos.size(0) - 1)},
                  0);
  }
  at::Tensor x = nn::ApplyLayerNorm(ln_pre, at::cat({cls, patches}, 1) + pos.unsqueeze(0));
  if (!has_prompts()) return x;
  // Prompts enter after ln_pre and carry no positional term (VPT).
  return at::cat({x.narrow(1, 0, 1), ProjectPrompts(prompt_embeddings[0], batch), x.narrow(1, 1, x.size(1) - 1)},
                 1);
}

at::Tensor VisionTransformerImpl::RunBlocks(at::Tensor x, int64_t patches, std::vector<at::Tensor>* intermediates) {
  const bool deep = options_.prompt.mode == EncoderMode::kDeepPrompt && has_prompts();
  const int64_t tokens = has_prompts() ? options_.prompt.tokens : 0;
  const int64_t depth = deep ? options_.prompt.depth : 0;
  const int64_t batch = x.size(0);
  int64_t present = tokens;  // prompt tokens currently between CLS and the patches
  for (int64_t i = 0; i < options_.layers; ++i) {
    if (deep && i >= 1 && (i <= depth || present > 0)) {
      at::Tensor cls = x.narrow(1, 0, 1);
      at::Tensor rest = x.narrow(1, 1 + present, patches);
      if (i <= depth) {
        x = at::cat({cls, ProjectPrompts(deep_prompt_embeddings[i - 1], batch), rest}, 1);
        present = tokens;
      } else {
        x = at::cat({cls, rest}, 1);
        present = 0;
      }
    }
    x = transformer->block(i)->forward(x);
    if (intermediates != nullptr && keep_intermediate_[static_cast<size_t>(i)]) {
      intermediates->push_back(x.narrow(1, 1 + present, patches).contiguous());
    }
  }
  if (deep) x = nn::ApplyLayerNorm(prompt_norm, x);
  if (present > 0) x = at::cat({x.narrow(1, 0, 1), x.narrow(1, 1 + present, patches)}, 1);
  return x;
}

at::Tensor VisionTransformerImpl::forward(const at::Tensor& images) {
  int64_t grid_h = 0;
  int64_t grid_w = 0;
  at::Tensor x = Embed(images, &grid_h, &grid_w);
  x = RunBlocks(x, grid_h * grid_w, /*intermediates=*/nullptr);
  return at::matmul(nn::ApplyLayerNorm(ln_post, x.select(1, 0)), proj);
}

VisionOutput VisionTransformerImpl::ForwardDense(const at::Tensor& images) {
  VisionOutput out;
  at::Tensor x = Embed(images, &out.grid_h, &out.grid_w);
  const int64_t patches = out.grid_h * out.grid_w;
  x = RunBlocks(x, patches, &out.intermediates);
  x = at::matmul(nn::ApplyLayerNorm(ln_post, x), proj);  // (B, 1 + H·W, output_dim)
  out.global = L2Normalize(x.select(1, 0));
  out.patches = L2Normalize(x.narrow(1, 1, patches));
  return out;
}

}  // namespace zegclip::clip
