// The architecture of a CLIP ViT model (image and text towers), as OpenAI's build_model reads it off a checkpoint,
// plus the run-time switches of this implementation.
//
// Example:
//   zegclip::clip::ClipOptions options = zegclip::clip::ClipOptions::ViTB16();
//   options.drop_path = 0.1;                 // stochastic depth in the image tower while training
//   options.intermediate_layers = {5, 11};   // ForwardDense also returns these blocks' patch tokens
//   zegclip::clip::ClipModel model(options, zegclip::clip::PromptOptions{});
#ifndef ZEGCLIP_CLIP_CLIP_OPTIONS_H_
#define ZEGCLIP_CLIP_CLIP_OPTIONS_H_

#include <cstdint>
#include <vector>

namespace zegclip::clip {

struct ClipOptions {
  // Image tower (OpenAI VisionTransformer). The positional embedding holds (image_resolution / patch_size)^2 + 1
  // rows; other input sizes that are multiples of patch_size get it bilinearly resized.
  int64_t image_resolution = 224;
  int64_t patch_size = 16;
  int64_t vision_width = 768;
  int64_t vision_layers = 12;
  int64_t vision_heads = 12;
  // Shared embedding space (visual.proj and text_projection output).
  int64_t embed_dim = 512;
  // Text tower.
  int64_t context_length = 77;
  int64_t vocab_size = 49408;
  int64_t text_width = 512;
  int64_t text_heads = 8;
  int64_t text_layers = 12;
  // Largest stochastic-depth probability (last image block); block i uses drop_path * i / (layers - 1).
  double drop_path = 0.0;

  // --- run-time switches (not part of a checkpoint) ---
  // Use at::scaled_dot_product_attention where LibTorch has it (>= 2.0); otherwise explicit matmul + softmax.
  bool fused_attention = true;
  // Image blocks (0-based) whose patch tokens ForwardDense returns in VisionOutput::intermediates.
  std::vector<int64_t> intermediate_layers;
  // The authors' released ZegCLIP backbone adds class_embedding to the CLS token twice (once as the token, once
  // into its positional term). OpenAI adds it once. Off by default: see the notes in clip_model.h.
  bool class_embedding_twice = false;

  // OpenAI's CLIP ViT-B/16 (the checkpoint ZegCLIP starts from): 149,620,737 parameters.
  static ClipOptions ViTB16();
};

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_CLIP_OPTIONS_H_
