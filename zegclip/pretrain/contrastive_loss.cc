#include "zegclip/pretrain/contrastive_loss.h"

#include <c10/util/Exception.h>

#include "zegclip/nn/full_precision.h"

namespace zegclip::pretrain {

at::Tensor ContrastiveLoss(const at::Tensor& image, const at::Tensor& text, const at::Tensor& logit_scale,
                           const at::Tensor& caption_ids) {
  TORCH_CHECK(image.dim() == 2 && image.sizes() == text.sizes(), "image and text must both be (B, D)");
  // In fp32 whatever the towers computed in (bf16 autocast): the similarities feed a softmax over the batch.
  const at::Tensor image_f = nn::FullPrecision(image), text_f = nn::FullPrecision(text);
  const at::Tensor image_n = image_f / image_f.norm(2, -1, true);
  const at::Tensor text_n = text_f / text_f.norm(2, -1, true);
  const at::Tensor logits = logit_scale.clamp_max(kMaxLogitScale).exp() * image_n.matmul(text_n.t());
  at::Tensor targets;
  if (caption_ids.defined()) {
    TORCH_CHECK(caption_ids.dim() == 1 && caption_ids.size(0) == image.size(0), "caption_ids must be (B)");
    at::Tensor same = caption_ids.unsqueeze(1).eq(caption_ids.unsqueeze(0)).to(logits.scalar_type());
    targets = same / same.sum(1, true);  // symmetric, so the same targets serve both directions
  } else {
    targets = at::eye(image.size(0), logits.options());
  }
  const at::Tensor image_to_text = -(targets * logits.log_softmax(1)).sum(1).mean();
  const at::Tensor text_to_image = -(targets * logits.t().log_softmax(1)).sum(1).mean();
  return (image_to_text + text_to_image) / 2;
}

}  // namespace zegclip::pretrain
