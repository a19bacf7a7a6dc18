// EL (the ablation of ZegCLIP design 2): softmax cross-entropy over the trained classes, classes mutually
// exclusive, pixels labelled 255 ignored, averaged over the labelled pixels. With no labelled pixel at all the
// loss is 0 (not NaN), so a crop of pure ignore cannot poison a step.
//
// Example:
//   at::Tensor l = SoftmaxCrossEntropyLoss(logits, labels);  // (B,C,H,W) float, (B,H,W) int64
#ifndef ZEGCLIP_LOSSES_SOFTMAX_CROSS_ENTROPY_LOSS_H_
#define ZEGCLIP_LOSSES_SOFTMAX_CROSS_ENTROPY_LOSS_H_

#include <ATen/ATen.h>

#include <cstdint>

#include "zegclip/losses/mask_targets.h"

namespace zegclip::losses {

// logits: (B, C, H, W) at label resolution; labels: (B, H, W) int64 in [0, C) or ignore_index. Returns a scalar.
at::Tensor SoftmaxCrossEntropyLoss(const at::Tensor& logits, const at::Tensor& labels,
                                   int64_t ignore_index = kIgnoreIndex);

}  // namespace zegclip::losses

#endif  // ZEGCLIP_LOSSES_SOFTMAX_CROSS_ENTROPY_LOSS_H_
