// Whole-image and sliding-window inference (mmseg's slide_inference): crops of `crop`×`crop` every `stride` pixels,
// the last crop in each direction aligned to the border, logits of overlapping crops averaged.
//
// Example (the recipe's VOC test setting):
//   at::Tensor logits = SlidingWindowLogits(image, /*crop=*/512, /*stride=*/426, num_classes,
//                                           [&](const at::Tensor& crop) { return model->Logits(crop); });
#ifndef ZEGCLIP_MODEL_SLIDING_WINDOW_H_
#define ZEGCLIP_MODEL_SLIDING_WINDOW_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>

namespace zegclip::model {

// Maps images (B, 3, h, w) to per-class logits (B, C, h, w) at the same resolution.
using LogitsFn = std::function<at::Tensor(const at::Tensor&)>;

// Crops smaller than `crop` (images smaller than the window) are zero-padded to `crop` and the logits cut back,
// so the model always sees its training size.
at::Tensor SlidingWindowLogits(const at::Tensor& images, int64_t crop, int64_t stride, int64_t num_classes,
                               const LogitsFn& logits_fn);

}  // namespace zegclip::model

#endif  // ZEGCLIP_MODEL_SLIDING_WINDOW_H_
