// Dice loss over per-class mask logits, on the present (image, class) pairs only (the authors' NEL dice term):
//   1 − (2 Σ p·t + 1) / (Σ p + Σ t + 1),   p = σ(x), sums over every pixel of the mask,
// summed over the present pairs and divided by num_masks. Ignored pixels have t = 0; their p enters Σ p (the
// authors' code) unless `valid` is given, which leaves them out of the sums altogether.
//
// Example:
//   at::Tensor l = DiceLoss(logits, targets.one_hot, targets.present, /*num_masks=*/7.0);
#ifndef ZEGCLIP_LOSSES_DICE_LOSS_H_
#define ZEGCLIP_LOSSES_DICE_LOSS_H_

#include <ATen/ATen.h>

namespace zegclip::losses {

// logits, targets: (B, C, H, W); present: (B, C) bool selecting the pairs that count; num_masks > 0;
// valid: undefined (every pixel counts) or (B, H, W) bool, false at pixels left out.
// Returns a scalar (0 when nothing is present).
at::Tensor DiceLoss(const at::Tensor& logits, const at::Tensor& targets, const at::Tensor& present,
                    double num_masks, const at::Tensor& valid = at::Tensor());

}  // namespace zegclip::losses

#endif  // ZEGCLIP_LOSSES_DICE_LOSS_H_
