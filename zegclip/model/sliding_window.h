// The sliding-window grid of mmseg's slide_inference (the authors' ZegCLIP.slide_inference): windows of
// `crop`×`crop` every `stride` pixels, ceil((size - crop) / stride) + 1 per direction, the last one in each direction
// moved back to end at the border. An image smaller than the crop gets one window, cut to the image.
//
// Example (the recipe's VOC test setting on a 512x683 image: two windows, x 0..512 and 171..683):
//   for (const Window& w : SlidingWindows(512, 683, /*crop=*/512, /*stride=*/426)) { ... }
#ifndef ZEGCLIP_MODEL_SLIDING_WINDOW_H_
#define ZEGCLIP_MODEL_SLIDING_WINDOW_H_

#include <cstdint>
#include <vector>

namespace zegclip::model {

struct Window {
  int64_t y1 = 0, y2 = 0, x1 = 0, x2 = 0;  // [y1, y2) x [x1, x2)
  int64_t height() const { return y2 - y1; }
  int64_t width() const { return x2 - x1; }
};

// Row-major (all windows of the first row first), as mmseg visits them. Needs 0 < stride <= crop.
std::vector<Window> SlidingWindows(int64_t height, int64_t width, int64_t crop, int64_t stride);

}  // namespace zegclip::model

#endif  // ZEGCLIP_MODEL_SLIDING_WINDOW_H_
