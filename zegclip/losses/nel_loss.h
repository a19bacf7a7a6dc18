// NEL (ZegCLIP design 2, the default loss): per-class sigmoid mask losses, classes not mutually exclusive,
//   total = focal_weight · focal + dice_weight · dice,
// with both terms divided by num_masks = the number of (image, class) pairs present in the labels, averaged across
// ranks by the caller's callback and clamped ≥ 1 — exactly the authors' released criterion.
//
// Example:
//   NelLossResult r = NelLoss(logits, labels, /*num_classes=*/15);  // logits already at label resolution
//   r.total.backward();
//   // data-parallel: NelLoss(logits, labels, 15, {}, [&](double n) { return comm.AllreduceMean(n); });
#ifndef ZEGCLIP_LOSSES_NEL_LOSS_H_
#define ZEGCLIP_LOSSES_NEL_LOSS_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>

#include "zegclip/losses/mask_targets.h"

namespace zegclip::losses {

struct NelLossOptions {
  double focal_weight = 100.0;
  double dice_weight = 1.0;
  double alpha = 0.25;
  double gamma = 2.0;
  // true (the authors' code): ignored pixels have all-zero targets and count as negatives for every class in the
  // focal term (and their probabilities enter the dice sums). false: ignored pixels are left out of the whole loss:
  // the focal per-mask mean runs over labelled pixels and the dice sums skip them (with a large ignored background,
  // dice would otherwise only ask to suppress the background, which no target supervises).
  bool ignore_as_negative = true;
};

struct NelLossResult {
  at::Tensor total;  // scalar, differentiable
  at::Tensor focal;  // scalar, unweighted
  at::Tensor dice;   // scalar, unweighted
  double num_masks = 1.0;  // the divisor used (after averaging and clamping)
};

// logits: (B, C, H, W) mask logits ALREADY at label resolution (the caller upsamples); labels: (B, H, W) int64
// in [0, C) or 255; num_classes: the trained class count C (must equal logits.size(1)).
// average_across_ranks maps this rank's present-pair count to the mean over ranks (identity: one process).
// float32 logits on the CPU take FusedNelLoss (fused_nel_loss.h), the others ComposedNelLoss.
NelLossResult NelLoss(const at::Tensor& logits, const at::Tensor& labels, int64_t num_classes,
                      const NelLossOptions& options = {},
                      const std::function<double(double)>& average_across_ranks = nullptr);

// The same loss from ATen ops (one-hot targets, FocalLoss, DiceLoss): any device and dtype, differentiable twice.
NelLossResult ComposedNelLoss(const at::Tensor& logits, const at::Tensor& labels, int64_t num_classes,
                              const NelLossOptions& options = {},
                              const std::function<double(double)>& average_across_ranks = nullptr);

}  // namespace zegclip::losses

#endif  // ZEGCLIP_LOSSES_NEL_LOSS_H_
