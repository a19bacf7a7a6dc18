// One CLIP pre-training step for the generic trainer: tokenise the batch's captions, encode images and texts,
// symmetric InfoNCE with the learnable temperature, captions of equal content (Batch::caption_keys, else equal text)
// counted as positives (contrastive_loss.h). The text tower runs on the columns up to the batch's longest caption
// only (TrimToLongest).
//
// Example:
//   ContrastiveStep step(clip, tokenizer);
//   trainer.Run(next_batch, step);   // batches carry images and captions
#ifndef ZEGCLIP_PRETRAIN_CONTRASTIVE_STEP_H_
#define ZEGCLIP_PRETRAIN_CONTRASTIVE_STEP_H_

#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/clip/clip_model.h"
#include "zegclip/train/train_step.h"

namespace zegclip::pretrain {

// The columns of clip.tokenize's (N, context_length) rows up to the longest row's end-of-text token. The text tower
// is causal and pools end-of-text, so the padding after it changes no feature: encoding the trimmed rows gives the
// same features for fewer tokens (the world's captions use 7 to 17 of the 24 columns).
at::Tensor TrimToLongest(const at::Tensor& tokens);

class ContrastiveStep : public train::TrainStep {
 public:
  ContrastiveStep(clip::ClipModel clip, clip::BpeTokenizer tokenizer);

  // Throws c10::Error naming the caption if one does not fit the context length.
  train::StepOutput Step(const data::Batch& batch) override;

 private:
  clip::ClipModel clip_;
  clip::BpeTokenizer tokenizer_;
};

}  // namespace zegclip::pretrain

#endif  // ZEGCLIP_PRETRAIN_CONTRASTIVE_STEP_H_
