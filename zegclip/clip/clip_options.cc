#include "zegclip/clip/clip_options.h"

namespace zegclip::clip {

ClipOptions ClipOptions::ViTB16() {
  ClipOptions options;
  options.image_resolution = 224;
  options.patch_size = 16;
  options.vision_width = 768;
  options.vision_layers = 12;
  options.vision_heads = 12;  // width / 64, as OpenAI's build_model
  options.embed_dim = 512;
  options.context_length = 77;
  options.vocab_size = 49408;
  options.text_width = 512;
  options.text_heads = 8;
  options.text_layers = 12;
  options.drop_path = 0.0;
  return options;
}

}  // namespace zegclip::clip
