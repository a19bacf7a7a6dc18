#include "zegclip/losses/softmax_cross_entropy_loss.h"

namespace zegclip::losses {

at::Tensor SoftmaxCrossEntropyLoss(const at::Tensor& logits, const at::Tensor& labels, int64_t ignore_index) {
  TORCH_CHECK(logits.dim() == 4, "SoftmaxCrossEntropyLoss: logits must be (B, C, H, W), got ", logits.sizes());
  CheckLabels(labels, logits.size(1), ignore_index, "SoftmaxCrossEntropyLoss");
  TORCH_CHECK(labels.size(0) == logits.size(0) && labels.size(1) == logits.size(2) &&
                  labels.size(2) == logits.size(3),
              "SoftmaxCrossEntropyLoss: labels ", labels.sizes(), " must match logits ", logits.sizes(),
              " (upsample the logits to label resolution first)");
  at::Tensor per_pixel = at::nll_loss2d(at::log_softmax(logits, /*dim=*/1), labels, /*weight=*/{},
                                        at::Reduction::None, ignore_index);  // 0 at ignored pixels
  at::Tensor count = (labels != ignore_index).sum().clamp_min(1).to(per_pixel.scalar_type());
  return per_pixel.sum() / count;
}

}  // namespace zegclip::losses
