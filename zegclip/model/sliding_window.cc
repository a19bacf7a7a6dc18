#include "zegclip/model/sliding_window.h"

#include <c10/util/Exception.h>

#include <algorithm>

namespace zegclip::model {
namespace {

// mmseg's grid: ceil((size - crop) / stride) + 1 windows, at least one.
int64_t Windows(int64_t size, int64_t crop, int64_t stride) {
  return std::max<int64_t>(size - crop + stride - 1, 0) / stride + 1;
}

}  // namespace

std::vector<Window> SlidingWindows(int64_t height, int64_t width, int64_t crop, int64_t stride) {
  TORCH_CHECK(crop > 0 && stride > 0 && stride <= crop, "sliding window: need 0 < stride <= crop, got crop ", crop,
              ", stride ", stride);
  TORCH_CHECK(height > 0 && width > 0, "sliding window: empty image ", height, "x", width);
  std::vector<Window> windows;
  for (int64_t gy = 0; gy < Windows(height, crop, stride); ++gy) {
    for (int64_t gx = 0; gx < Windows(width, crop, stride); ++gx) {
      Window w;
      w.y2 = std::min(gy * stride + crop, height);
      w.x2 = std::min(gx * stride + crop, width);
      w.y1 = std::max<int64_t>(w.y2 - crop, 0);
      w.x1 = std::max<int64_t>(w.x2 - crop, 0);
      windows.push_back(w);
    }
  }
  return windows;
}

}  // namespace zegclip::model
