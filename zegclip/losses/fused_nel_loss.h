// NelLoss (nel_loss.h) on the CPU as one fused operation: the forward is one pass over the logits that accumulates,
// per (image, class) plane, the focal sum and the three dice sums, with the class targets read straight from the
// label map (no one-hot tensor); the backward is one more pass that writes the gradient of every logit from those
// sums. The composed version runs ~20 elementwise passes forward and as many backward over B·C·H·W values; this
// one reads the logits twice and writes the gradient once. Same result, in the same float32 elementwise arithmetic,
// with the sums accumulated in float vector lanes over blocks of pixels and in double across blocks (the composed
// version's reductions are float32 cascades). Both passes are branch-free vector loops: every pixel costs the same,
// labelled or ignored.
//
// Example:
//   NelLossResult r = FusedNelLoss(logits, labels, 15, options);   // float32 CPU logits at label resolution
#ifndef ZEGCLIP_LOSSES_FUSED_NEL_LOSS_H_
#define ZEGCLIP_LOSSES_FUSED_NEL_LOSS_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>

#include "zegclip/losses/nel_loss.h"

namespace zegclip::losses {

// Whether FusedNelLoss takes these logits (float32 on the CPU); NelLoss dispatches on it.
bool FusedNelLossApplies(const at::Tensor& logits);

// As NelLoss; logits must be float32 on the CPU. Its backward is first-order only (no double backward).
NelLossResult FusedNelLoss(const at::Tensor& logits, const at::Tensor& labels, int64_t num_classes,
                           const NelLossOptions& options = {},
                           const std::function<double(double)>& average_across_ranks = nullptr);

}  // namespace zegclip::losses

#endif  // ZEGCLIP_LOSSES_FUSED_NEL_LOSS_H_
