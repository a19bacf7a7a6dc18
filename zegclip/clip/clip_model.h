// OpenAI CLIP (ViT image tower + causal text transformer) with parameter names identical to OpenAI's state dict,
// so checkpoints import name-for-name (see clip_checkpoint.h). OpenAI's initialisation, so a small CLIP can also
// be trained from scratch with forward()'s logits.
//
// Notes on fidelity to the released ZegCLIP code (the default follows OpenAI where they differ):
//  - The authors' backbone adds class_embedding to the CLS token twice; ClipOptions::class_embedding_twice = true
//    reproduces it.
//  - The authors' blocks build DropPath modules but never call them, so their drop_path_rate = 0.1 has no effect;
//    ClipOptions::drop_path is applied here when non-zero.
//
// Example:
//   ClipModel model(ClipOptions::ViTB16());
//   at::Tensor text = model->EncodeText(tokens);     // tokens int64 (N, 77) -> (N, 512), not normalised
//   at::Tensor image = model->EncodeImage(images);   // images (B, 3, 224, 224) -> (B, 512), not normalised
//   VisionOutput dense = model->visual->ForwardDense(images512);
#ifndef ZEGCLIP_CLIP_CLIP_MODEL_H_
#define ZEGCLIP_CLIP_CLIP_MODEL_H_

#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "zegclip/clip/clip_options.h"
#include "zegclip/clip/prompt_options.h"
#include "zegclip/clip/transformer.h"
#include "zegclip/clip/vision_transformer.h"

namespace zegclip::clip {

class ClipModelImpl : public torch::nn::Module {
 public:
  explicit ClipModelImpl(const ClipOptions& options, const PromptOptions& prompt = PromptOptions());

  // tokens: int64 (N, L), L <= context_length, EOT = the largest id of each row -> (N, embed_dim).
  at::Tensor EncodeText(const at::Tensor& tokens);
  // images: float (B, 3, H, W) -> (B, embed_dim): CLS after ln_post @ proj.
  at::Tensor EncodeImage(const at::Tensor& images);
  // CLIP's contrastive logits: exp(logit_scale) · norm(image) · norm(text)ᵀ, (B_images, N_texts).
  at::Tensor forward(const at::Tensor& images, const at::Tensor& tokens);

  // Image-encoder parameters that currently require grad (after ApplyEncoderMode: what the optimizer gets).
  std::vector<at::Tensor> VisualTrainableParameters() const;
  // Switches every attention block (both towers) between the fused and the explicit kernel.
  void SetFusedAttention(bool fused);

  const ClipOptions& options() const { return options_; }
  const PromptOptions& prompt_options() const { return prompt_; }

  VisionTransformer visual{nullptr};
  Transformer transformer{nullptr};  // the text tower's blocks (causal)
  torch::nn::Embedding token_embedding{nullptr};
  at::Tensor positional_embedding;  // (context_length, text_width)
  torch::nn::LayerNorm ln_final{nullptr};
  at::Tensor text_projection;  // (text_width, embed_dim)
  at::Tensor logit_scale;      // scalar, log(1 / 0.07) at init

 private:
  // OpenAI's initialize_parameters (text tower); the image tower keeps its own construction-time init.
  void InitializeParameters();

  ClipOptions options_;
  PromptOptions prompt_;
};
TORCH_MODULE(ClipModel);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_CLIP_MODEL_H_
