// CLIP's image tower (OpenAI VisionTransformer, keys `visual.*`) with ZegCLIP's additions: a dense output for
// segmentation at any input size that is a multiple of the patch size, and visual prompt tuning (deep / shallow).
//
// Token sequence: [CLS, P_0 (n prompts, if any), patches]. In deep mode the n outputs of block i-1 at the prompt
// positions are replaced by dropout(prompt_proj(P_i)) before block i (1 <= i <= depth) and dropped from block
// depth+1 on; after the last block the prompts are dropped, prompt_norm (deep mode only, as the released code),
// ln_post and proj follow. New parameters (absent from OpenAI's checkpoint): `prompt_embeddings` (1, n, W),
// `deep_prompt_embeddings` (depth, n, W), `prompt_proj.*`, `prompt_norm.*` (deep only).
//
// Example:
//   VisionTransformer visual(VisionOptionsFrom(ClipOptions::ViTB16(), PromptOptions{EncoderMode::kDeepPrompt}));
//   VisionOutput out = visual->ForwardDense(images);   // images (B, 3, 512, 512)
//   out.patches;  // (B, 32·32, 512), unit length;  out.global: (B, 512), unit length
#ifndef ZEGCLIP_CLIP_VISION_TRANSFORMER_H_
#define ZEGCLIP_CLIP_VISION_TRANSFORMER_H_

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "zegclip/clip/clip_options.h"
#include "zegclip/clip/positional_embedding.h"
#include "zegclip/clip/prompt_options.h"
#include "zegclip/clip/transformer.h"

namespace zegclip::clip {

struct VisionTransformerOptions {
  int64_t image_resolution = 224;  // native grid = image_resolution / patch_size
  int64_t patch_size = 16;
  int64_t width = 768;
  int64_t layers = 12;
  int64_t heads = 12;
  int64_t output_dim = 512;
  double drop_path = 0.0;  // largest stochastic-depth rate (last block)
  bool fused_attention = true;
  std::vector<int64_t> intermediate_layers;  // strictly increasing block indices
  bool class_embedding_twice = false;        // the released ZegCLIP code's CLS quirk (see ClipOptions)
  PromptOptions prompt;
};

VisionTransformerOptions VisionOptionsFrom(const ClipOptions& clip, const PromptOptions& prompt);

struct VisionOutput {
  at::Tensor patches;  // (B, H·W, embed_dim) after ln_post + proj, L2-normalised; row-major grid order
  at::Tensor global;   // (B, embed_dim) CLS after ln_post + proj, L2-normalised
  std::vector<at::Tensor> intermediates;  // (B, H·W, width) block outputs for options.intermediate_layers
  int64_t grid_h = 0;
  int64_t grid_w = 0;
};

class VisionTransformerImpl : public torch::nn::Module {
 public:
  explicit VisionTransformerImpl(const VisionTransformerOptions& options);

  // images (B, 3, H, W) -> (B, output_dim): CLS after ln_post @ proj, not normalised (OpenAI's encode_image).
  at::Tensor forward(const at::Tensor& images);
  // Dense features for segmentation; H and W must be multiples of patch_size.
  VisionOutput ForwardDense(const at::Tensor& images);

  bool has_prompts() const { return prompt_embeddings.defined(); }
  // prompt_embeddings, deep_prompt_embeddings, prompt_proj.*, prompt_norm.* (whichever exist).
  std::vector<at::Tensor> PromptParameters() const;
  const VisionTransformerOptions& options() const { return options_; }
  void set_fused_attention(bool fused) { transformer->set_fused_attention(fused); }

  torch::nn::Conv2d conv1{nullptr};
  at::Tensor class_embedding;       // (W)
  at::Tensor positional_embedding;  // (1 + g·g, W) at the native grid
  torch::nn::LayerNorm ln_pre{nullptr};
  Transformer transformer{nullptr};
  torch::nn::LayerNorm ln_post{nullptr};
  at::Tensor proj;  // (W, output_dim)
  // Prompt tuning (undefined / null unless options.prompt.mode uses prompts).
  at::Tensor prompt_embeddings;       // (1, n, W)
  at::Tensor deep_prompt_embeddings;  // (depth, n, W), deep mode only
  torch::nn::Linear prompt_proj{nullptr};
  torch::nn::LayerNorm prompt_norm{nullptr};

 private:
  void RegisterPrompts();
  // images -> (B, 1 + H·W, W) after ln_pre (and with P_0 inserted after CLS when prompted); sets the grid size.
  at::Tensor Embed(const at::Tensor& images, int64_t* grid_h, int64_t* grid_w);
  // prompts (n, W) -> dropout(prompt_proj(prompts)) expanded to (batch, n, W); dropout masks differ per sample.
  at::Tensor ProjectPrompts(const at::Tensor& prompts, int64_t batch);
  // Runs the blocks with prompt replacement; returns (B, 1 + H·W, W) with prompts dropped (and prompt_norm in
  // deep mode). Appends requested block outputs' patch tokens to *intermediates when it is not null.
  at::Tensor RunBlocks(at::Tensor x, int64_t patches, std::vector<at::Tensor>* intermediates);

  VisionTransformerOptions options_;
  std::vector<bool> keep_intermediate_;
  ResizedPositionalEmbeddingCache position_cache_;
};
TORCH_MODULE(VisionTransformer);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_VISION_TRANSFORMER_H_
