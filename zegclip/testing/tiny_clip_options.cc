#include "zegclip/testing/tiny_clip_options.h"

namespace zegclip::testing {

clip::ClipOptions TinyClipOptions() {
  clip::ClipOptions o;
  o.image_resolution = 32;
  o.patch_size = 16;
  o.vision_width = 64;
  o.vision_layers = 3;
  o.vision_heads = 2;
  o.embed_dim = 32;
  o.context_length = 12;
  o.vocab_size = 50;
  o.text_width = 64;
  o.text_heads = 4;
  o.text_layers = 2;
  o.drop_path = 0.0;
  return o;
}

}  // namespace zegclip::testing
