// CLIP's symmetric InfoNCE loss with the learnable temperature, for pre-training a CLIP on image-caption pairs.
//
// In a small world many images in a batch share a caption; treating a duplicate caption as a negative would push
// apart what is identical. With `caption_ids`, every pair whose captions are equal counts as a positive: the target
// of each row is uniform over its positives (with all captions distinct this is exactly CLIP's loss).
//
// Example:
//   at::Tensor loss = ContrastiveLoss(model->EncodeImage(images), model->EncodeText(tokens),
//                                     model->logit_scale, caption_ids);
#ifndef ZEGCLIP_PRETRAIN_CONTRASTIVE_LOSS_H_
#define ZEGCLIP_PRETRAIN_CONTRASTIVE_LOSS_H_

#include <ATen/ATen.h>

namespace zegclip::pretrain {

// OpenAI clamps the learned temperature at 100 (logit_scale ≤ ln 100).
inline constexpr double kMaxLogitScale = 4.605170185988092;

// image, text: (B, D), not necessarily normalised; logit_scale: scalar (log of the temperature's inverse).
// caption_ids: int64 (B) ids of the caption texts (equal id = equal text), or undefined for "all distinct".
at::Tensor ContrastiveLoss(const at::Tensor& image, const at::Tensor& text, const at::Tensor& logit_scale,
                           const at::Tensor& caption_ids = at::Tensor());

}  // namespace zegclip::pretrain

#endif  // ZEGCLIP_PRETRAIN_CONTRASTIVE_LOSS_H_
