#include "zegclip/testing/tiny_segmentor_options.h"

namespace zegclip::testing {

model::SegmentorOptions TinySegmentorOptions(clip::EncoderMode mode, bool relationship_descriptor) {
  model::SegmentorOptions o;
  o.clip.image_resolution = 16;
  o.clip.patch_size = 8;
  o.clip.vision_width = 16;
  o.clip.vision_layers = 2;
  o.clip.vision_heads = 2;
  o.clip.embed_dim = 8;
  o.clip.context_length = 8;
  o.clip.vocab_size = 40;
  o.clip.text_width = 8;
  o.clip.text_heads = 2;
  o.clip.text_layers = 1;
  o.prompt.mode = mode;
  o.prompt.tokens = 2;
  o.prompt.depth = 1;
  o.prompt.dropout = 0;
  o.decoder.width = 8;
  o.decoder.heads = 2;
  o.decoder.layers = 2;
  o.decoder.dropout = 0;
  o.relationship_descriptor = relationship_descriptor;
  return o;
}

}  // namespace zegclip::testing
