// The ZegCLIP training step: queries the classes the zero-shot setting trains (seen classes in the inductive
// setting, all otherwise), maps the labels onto them (unseen pixels ignored, or pseudo-labelled in the transductive
// setting), upsamples the mask logits to the labels and applies EL or NEL (optionally on every decoder layer).
//
// Example:
//   SegmentationStep step(model, class_embeddings, options, [&](double n) { return comm.AllReduceMean(n); });
//   trainer.Run(loader_fn, step);
#ifndef ZEGCLIP_TRAIN_SEGMENTATION_STEP_H_
#define ZEGCLIP_TRAIN_SEGMENTATION_STEP_H_

#include <ATen/ATen.h>

#include <functional>

#include "zegclip/losses/nel_loss.h"
#include "zegclip/model/inference.h"
#include "zegclip/model/zegclip_segmentor.h"
#include "zegclip/model/zero_shot_setting.h"
#include "zegclip/train/train_step.h"

namespace zegclip::train {

enum class LossKind { kNel, kEl };

// The scores a model trained with `loss` is read by: NEL trains independent sigmoid masks, EL one softmax.
inline model::ScoreKind ScoreKindFor(LossKind loss) {
  return loss == LossKind::kNel ? model::ScoreKind::kSigmoid : model::ScoreKind::kSoftmax;
}

struct SegmentationStepOptions {
  model::ZeroShotSplit split;
  LossKind loss = LossKind::kNel;
  losses::NelLossOptions nel;
  bool deep_supervision = false;  // every decoder layer's masks join the loss (the released code: last only)
};

class SegmentationStep : public TrainStep {
 public:
  // class_embeddings: (num_classes, D) unit rows for ALL classes, in label order (from EmbedClasses).
  // average_across_ranks: the NEL num_masks averaging (identity when null).
  SegmentationStep(model::ZegClipSegmentor model, at::Tensor class_embeddings, SegmentationStepOptions options,
                   std::function<double(double)> average_across_ranks = nullptr);

  StepOutput Step(const data::Batch& batch) override;

 private:
  // The labels the loss sees, in trained-class indices (pseudo-labels first in the transductive setting).
  at::Tensor Targets(const at::Tensor& labels, const at::Tensor& last_logits) const;

  model::ZegClipSegmentor model_;
  at::Tensor class_embeddings_;
  at::Tensor trained_;  // trained class ids
  SegmentationStepOptions options_;
  std::function<double(double)> average_across_ranks_;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_SEGMENTATION_STEP_H_
