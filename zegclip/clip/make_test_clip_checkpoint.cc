// Writes a tiny randomly initialised CLIP as a TorchScript archive (OpenAI's names, fp16 like ViT-B-16.pt) whose
// text tower takes OpenAI's full vocabulary (49408 tokens, context 77), so command-line tests can run the vendored
// tokenizer through it. Test helper, not a tool.
//
// Usage: make_test_clip_checkpoint OUT.pt
#include <iostream>

#include <torch/utils.h>

#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/clip/clip_model.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_test_clip_checkpoint OUT.pt\n";
    return 2;
  }
  zegclip::clip::ClipOptions options;
  options.image_resolution = 32;
  options.patch_size = 16;
  options.vision_width = 64;
  options.vision_layers = 2;
  options.vision_heads = 2;
  options.embed_dim = 32;
  options.context_length = 77;
  options.vocab_size = 49408;
  options.text_width = 64;
  options.text_heads = 2;
  options.text_layers = 2;
  torch::manual_seed(11);
  zegclip::clip::ClipModel model(options);
  const absl::Status saved = zegclip::clip::SaveClipCheckpoint(*model, argv[1], /*fp16=*/true);
  if (!saved.ok()) {
    std::cerr << "error: " << saved.message() << "\n";
    return 1;
  }
  return 0;
}
