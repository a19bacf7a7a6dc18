#include "zegclip/losses/dice_loss.h"

namespace zegclip::losses {

at::Tensor DiceLoss(const at::Tensor& logits, const at::Tensor& targets, const at::Tensor& present,
                    double num_masks, const at::Tensor& valid) {
  TORCH_CHECK(logits.dim() == 4, "DiceLoss: logits must be (B, C, H, W), got ", logits.sizes());
  TORCH_CHECK(targets.sizes() == logits.sizes(), "DiceLoss: targets must match logits ", logits.sizes(), ", got ",
              targets.sizes());
  TORCH_CHECK(present.dim() == 2 && present.size(0) == logits.size(0) && present.size(1) == logits.size(1) &&
                  present.scalar_type() == at::kBool,
              "DiceLoss: present must be (B, C) bool matching logits ", logits.sizes(), ", got ", present.sizes(),
              " ", present.scalar_type());
  TORCH_CHECK(num_masks > 0.0, "DiceLoss: num_masks must be positive, got ", num_masks);
  at::Tensor prob = at::sigmoid(logits).flatten(2);  // (B, C, HW)
  if (valid.defined()) {
    TORCH_CHECK(valid.dim() == 3 && valid.size(0) == logits.size(0) && valid.size(1) == logits.size(2) &&
                    valid.size(2) == logits.size(3),
                "DiceLoss: valid must be (B, H, W) matching logits ", logits.sizes(), ", got ", valid.sizes());
    prob = prob * valid.flatten(1).unsqueeze(1).to(prob.scalar_type());
  }
  at::Tensor t = targets.flatten(2);
  at::Tensor numerator = 2.0 * (prob * t).sum(-1) + 1.0;
  at::Tensor denominator = prob.sum(-1) + t.sum(-1) + 1.0;
  at::Tensor per_mask = 1.0 - numerator / denominator;  // (B, C)
  // Multiplying by the 0/1 mask (not indexing) keeps the shape static and the gradient of absent pairs exactly 0.
  return (per_mask * present.to(per_mask.scalar_type())).sum() / num_masks;
}

}  // namespace zegclip::losses
