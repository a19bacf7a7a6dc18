// Per-class binary mask targets built from a label map, shared by the focal and dice terms of NEL: one-hot over the
// C trained classes (ignored pixels get all-zero targets), which pixels are labelled, and which (image, class) pairs
// are present. Labels must be in [0, C) or the ignore index; anything else is a caller bug (an unseen class that
// was not mapped to 255) and raises.
//
// Example:
//   MaskTargets t = MakeMaskTargets(labels, /*num_classes=*/15, at::kFloat);  // labels (B,H,W) int64
//   t.one_hot;   // (B, 15, H, W) float, 0/1
//   t.present;   // (B, 15) bool
//   t.num_present;  // number of present (image, class) pairs on this rank
#ifndef ZEGCLIP_LOSSES_MASK_TARGETS_H_
#define ZEGCLIP_LOSSES_MASK_TARGETS_H_

#include <ATen/ATen.h>

#include <cstdint>

namespace zegclip::losses {

inline constexpr int64_t kIgnoreIndex = 255;

struct MaskTargets {
  at::Tensor one_hot;   // (B, C, H, W) of `dtype`; all zero at ignored pixels
  at::Tensor valid;     // (B, H, W) bool: the pixel carries a label
  at::Tensor present;   // (B, C) bool: the class occurs in that image
  int64_t num_present = 0;
};

// labels: (B, H, W) int64 with values in [0, num_classes) or ignore_index.
MaskTargets MakeMaskTargets(const at::Tensor& labels, int64_t num_classes, at::ScalarType dtype,
                            int64_t ignore_index = kIgnoreIndex);

// TORCH_CHECKs that labels is (B, H, W) int64 with values in [0, num_classes) or ignore_index; `who` names the
// caller in the message.
void CheckLabels(const at::Tensor& labels, int64_t num_classes, int64_t ignore_index, const char* who);

}  // namespace zegclip::losses

#endif  // ZEGCLIP_LOSSES_MASK_TARGETS_H_
