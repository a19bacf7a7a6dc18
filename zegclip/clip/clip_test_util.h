// Small CLIP configurations shared by this package's tests (fast on two CPU cores).
//
// Example:
//   ClipModel model(TinyClipOptions());
#ifndef ZEGCLIP_CLIP_CLIP_TEST_UTIL_H_
#define ZEGCLIP_CLIP_CLIP_TEST_UTIL_H_

#include <cstdint>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "zegclip/clip/clip_options.h"

namespace zegclip::clip {

// Image 32x32 with 16-pixel patches (native grid 2x2), widths 64, two blocks per tower. Head counts are not
// width / 64, so checkpoint round trips must carry them.
inline ClipOptions TinyClipOptions() {
  ClipOptions o;
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

// Deterministic pseudo-images (B, 3, size, size).
inline at::Tensor TestImages(int64_t batch, int64_t height, int64_t width, uint64_t seed = 7) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return at::randn({batch, 3, height, width}, gen, at::TensorOptions().dtype(at::kFloat));
}

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_CLIP_TEST_UTIL_H_
