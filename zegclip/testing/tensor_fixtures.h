// Small deterministic tensors the loss, metric and model tests share.
//
// Example:
//   at::Tensor labels = SomeLabels();          // (2, 3, 4) int64, classes 0..2 and 255
//   at::Tensor images = TestImages(2, 32, 32); // (2, 3, 32, 32) float, seeded
#ifndef ZEGCLIP_TESTING_TENSOR_FIXTURES_H_
#define ZEGCLIP_TESTING_TENSOR_FIXTURES_H_

#include <cstdint>

#include <ATen/ATen.h>

namespace zegclip::testing {

// Labels of 2 images of 3x4 pixels over 3 classes with a few ignored (255) pixels; image 1 has no class 2, so a
// per-image "present classes" rule has something to leave out: image 0 holds {0, 1, 2}, image 1 holds {0, 1}.
at::Tensor SomeLabels();

// Pseudo-images (B, 3, height, width), standard normal from a generator seeded with `seed`.
at::Tensor TestImages(int64_t batch, int64_t height, int64_t width, uint64_t seed = 7);

}  // namespace zegclip::testing

#endif  // ZEGCLIP_TESTING_TENSOR_FIXTURES_H_
