// One CLIP pre-training step for the generic trainer: tokenise the batch's captions, encode images and texts,
// symmetric InfoNCE with the learnable temperature, equal captions counted as positives (contrastive_loss.h).
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
