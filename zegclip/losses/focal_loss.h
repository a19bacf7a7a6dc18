// Sigmoid focal loss over per-class mask logits (RetinaNet's; the authors' NEL focal term). Per pixel:
//   α_t · BCEWithLogits(x, t) · (1 − p_t)^γ,  p = σ(x),  p_t = p·t + (1−p)(1−t),  α_t = α·t + (1−α)(1−t),
// averaged over the pixels of each (image, class), summed over every (image, class), divided by num_masks.
//
// Example:
//   at::Tensor l = FocalLoss(logits, targets.one_hot, /*valid=*/{}, /*num_masks=*/7.0);  // (B,C,H,W) each
#ifndef ZEGCLIP_LOSSES_FOCAL_LOSS_H_
#define ZEGCLIP_LOSSES_FOCAL_LOSS_H_

#include <ATen/ATen.h>

namespace zegclip::losses {

struct FocalLossOptions {
  double alpha = 0.25;  // weight of positives; < 0 turns the α weighting off
  double gamma = 2.0;
};

// logits, targets: (B, C, H, W), targets 0/1 of the same dtype. valid: undefined (every pixel counts, the authors'
// code: ignored pixels have zero targets and act as negatives) or (B, H, W) bool; with it, the per-(image, class)
// mean runs over the valid pixels only (an image without any contributes 0). num_masks > 0 divides the sum.
// Returns a scalar.
at::Tensor FocalLoss(const at::Tensor& logits, const at::Tensor& targets, const at::Tensor& valid, double num_masks,
                     const FocalLossOptions& options = {});

}  // namespace zegclip::losses

#endif  // ZEGCLIP_LOSSES_FOCAL_LOSS_H_
