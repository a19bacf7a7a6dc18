// Zero-shot image→text retrieval of a CLIP over a fixed set of class prompts: each image's best-matching prompt.
// Reported overall and separately for the seen and the unseen classes, so the pre-trained CLIP's knowledge of the
// compositions that segmentation will never see labelled is on record.
//
// Example:
//   RetrievalResult r = EvaluateRetrieval(*clip, images, targets, prompt_tokens, seen_ids, unseen_ids);
//   r.unseen_accuracy;   // percent
#ifndef ZEGCLIP_PRETRAIN_RETRIEVAL_H_
#define ZEGCLIP_PRETRAIN_RETRIEVAL_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "zegclip/clip/clip_model.h"

namespace zegclip::pretrain {

struct RetrievalResult {
  double accuracy = 0;          // percent of images whose best prompt is their class
  double seen_accuracy = 0;     // over images of seen classes (NaN if none)
  double unseen_accuracy = 0;   // over images of unseen classes (NaN if none)
  at::Tensor predictions;       // int64 (N) best prompt per image
};

// images: float (N, 3, H, W) normalised; targets: int64 (N) class ids; prompt_tokens: int64 (C, context) with row
// c the prompt of class c. Runs in eval mode without gradient, `batch` images at a time.
RetrievalResult EvaluateRetrieval(clip::ClipModelImpl& clip, const at::Tensor& images, const at::Tensor& targets,
                                  const at::Tensor& prompt_tokens, const std::vector<int64_t>& seen,
                                  const std::vector<int64_t>& unseen, int64_t batch = 256);

}  // namespace zegclip::pretrain

#endif  // ZEGCLIP_PRETRAIN_RETRIEVAL_H_
