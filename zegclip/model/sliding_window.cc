#include "zegclip/model/sliding_window.h"

#include <ATen/ops/constant_pad_nd.h>
#include <c10/util/Exception.h>

#include <algorithm>

namespace zegclip::model {
namespace {

// mmseg's grid: ceil((size - crop) / stride) + 1 windows, at least one.
int64_t Windows(int64_t size, int64_t crop, int64_t stride) {
  return std::max<int64_t>(size - crop + stride - 1, 0) / stride + 1;
}

}  // namespace

at::Tensor SlidingWindowLogits(const at::Tensor& images, int64_t crop, int64_t stride, int64_t num_classes,
                               const LogitsFn& logits_fn) {
  TORCH_CHECK(images.dim() == 4, "images must be (B, 3, H, W)");
  TORCH_CHECK(crop > 0 && stride > 0 && stride <= crop, "need 0 < stride <= crop");
  const int64_t batch = images.size(0), height = images.size(2), width = images.size(3);
  at::Tensor sum = at::zeros({batch, num_classes, height, width}, images.options());
  at::Tensor count = at::zeros({1, 1, height, width}, images.options());
  for (int64_t gy = 0; gy < Windows(height, crop, stride); ++gy) {
    for (int64_t gx = 0; gx < Windows(width, crop, stride); ++gx) {
      const int64_t y2 = std::min(gy * stride + crop, height), x2 = std::min(gx * stride + crop, width);
      const int64_t y1 = std::max<int64_t>(y2 - crop, 0), x1 = std::max<int64_t>(x2 - crop, 0);
      at::Tensor window = images.slice(2, y1, y2).slice(3, x1, x2);
      const int64_t h = y2 - y1, w = x2 - x1;
      if (h < crop || w < crop) window = at::constant_pad_nd(window, {0, crop - w, 0, crop - h}, 0);
      at::Tensor logits = logits_fn(window);
      TORCH_CHECK(logits.size(1) == num_classes && logits.size(2) == window.size(2) && logits.size(3) == window.size(3),
                  "logits_fn must return (B, num_classes, h, w) at the crop's size");
      sum.slice(2, y1, y2).slice(3, x1, x2) += logits.slice(2, 0, h).slice(3, 0, w);
      count.slice(2, y1, y2).slice(3, x1, x2) += 1;
    }
  }
  return sum / count;
}

}  // namespace zegclip::model
