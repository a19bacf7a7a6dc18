#include "zegclip/losses/nel_loss.h"

#include <algorithm>

#include "zegclip/losses/dice_loss.h"
#include "zegclip/losses/focal_loss.h"
#include "zegclip/losses/fused_nel_loss.h"

namespace zegclip::losses {

NelLossResult NelLoss(const at::Tensor& logits, const at::Tensor& labels, int64_t num_classes,
                      const NelLossOptions& options, const std::function<double(double)>& average_across_ranks) {
  if (FusedNelLossApplies(logits)) return FusedNelLoss(logits, labels, num_classes, options, average_across_ranks);
  return ComposedNelLoss(logits, labels, num_classes, options, average_across_ranks);
}

NelLossResult ComposedNelLoss(const at::Tensor& logits, const at::Tensor& labels, int64_t num_classes,
                              const NelLossOptions& options,
                              const std::function<double(double)>& average_across_ranks) {
  TORCH_CHECK(logits.dim() == 4 && logits.size(1) == num_classes, "NelLoss: logits must be (B, ", num_classes,
              ", H, W), got ", logits.sizes());
  TORCH_CHECK(labels.dim() == 3 && labels.size(0) == logits.size(0) && labels.size(1) == logits.size(2) &&
                  labels.size(2) == logits.size(3),
              "NelLoss: labels ", labels.sizes(), " must be (B, H, W) matching logits ", logits.sizes(),
              " (upsample the logits to label resolution first)");
  MaskTargets targets = MakeMaskTargets(labels, num_classes, logits.scalar_type());
  double num_masks = static_cast<double>(targets.num_present);
  if (average_across_ranks) num_masks = average_across_ranks(num_masks);
  num_masks = std::max(num_masks, 1.0);

  NelLossResult r;
  r.num_masks = num_masks;
  const at::Tensor valid = options.ignore_as_negative ? at::Tensor() : targets.valid;
  r.focal = FocalLoss(logits, targets.one_hot, valid, num_masks, FocalLossOptions{options.alpha, options.gamma});
  r.dice = DiceLoss(logits, targets.one_hot, targets.present, num_masks, valid);
  r.total = options.focal_weight * r.focal + options.dice_weight * r.dice;
  return r;
}

}  // namespace zegclip::losses
