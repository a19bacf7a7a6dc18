#include "zegclip/losses/focal_loss.h"

namespace zegclip::losses {

at::Tensor FocalLoss(const at::Tensor& logits, const at::Tensor& targets, const at::Tensor& valid, double num_masks,
                     const FocalLossOptions& options) {
  TORCH_CHECK(logits.dim() == 4, "FocalLoss: logits must be (B, C, H, W), got ", logits.sizes());
  TORCH_CHECK(targets.sizes() == logits.sizes(), "FocalLoss: targets must match logits ", logits.sizes(), ", got ",
              targets.sizes());
  TORCH_CHECK(num_masks > 0.0, "FocalLoss: num_masks must be positive, got ", num_masks);
  at::Tensor ce = at::binary_cross_entropy_with_logits(logits, targets, /*weight=*/{}, /*pos_weight=*/{},
                                                       at::Reduction::None);
  at::Tensor prob = at::sigmoid(logits);
  at::Tensor p_t = prob * targets + (1.0 - prob) * (1.0 - targets);
  at::Tensor loss = ce * at::pow(1.0 - p_t, options.gamma);
  if (options.alpha >= 0.0) {
    loss = (options.alpha * targets + (1.0 - options.alpha) * (1.0 - targets)) * loss;
  }
  at::Tensor per_mask;  // (B, C)
  if (!valid.defined()) {
    per_mask = loss.flatten(2).mean(-1);
  } else {
    TORCH_CHECK(valid.dim() == 3 && valid.size(0) == logits.size(0) && valid.size(1) == logits.size(2) &&
                    valid.size(2) == logits.size(3),
                "FocalLoss: valid must be (B, H, W) matching logits ", logits.sizes(), ", got ", valid.sizes());
    at::Tensor keep = valid.unsqueeze(1).to(loss.scalar_type());
    at::Tensor count = keep.flatten(1).sum(-1).clamp_min(1.0).unsqueeze(1);  // (B, 1)
    per_mask = (loss * keep).flatten(2).sum(-1) / count;
  }
  return per_mask.sum() / num_masks;
}

}  // namespace zegclip::losses
