#include "zegclip/train/segmentation_step.h"

#include "zegclip/losses/softmax_cross_entropy_loss.h"
#include "zegclip/nn/full_precision.h"

namespace zegclip::train {

SegmentationStep::SegmentationStep(model::ZegClipSegmentor model, at::Tensor class_embeddings,
                                   SegmentationStepOptions options,
                                   std::function<double(double)> average_across_ranks)
    : model_(std::move(model)),
      class_embeddings_(std::move(class_embeddings)),
      options_(std::move(options)),
      average_across_ranks_(std::move(average_across_ranks)) {
  TORCH_CHECK(class_embeddings_.size(0) == options_.split.num_classes,
              "class_embeddings must have one row per class (", options_.split.num_classes, ")");
  trained_ = model::TrainedClasses(options_.split).to(class_embeddings_.device());
}

at::Tensor SegmentationStep::Targets(const at::Tensor& labels, const at::Tensor& last_logits) const {
  at::Tensor source = labels;
  if (options_.split.setting == model::Setting::kTransductive && !options_.split.unseen.empty()) {
    // Self-training: the model's own current scores (all classes are queried here), without gradient.
    at::Tensor scores = model::ScoresFromLogits(last_logits.detach(), ScoreKindFor(options_.loss));
    source = model::PseudoLabelUnseen(labels, scores, options_.split);
  }
  return model::MapLabelsToTrained(source, options_.split);
}

StepOutput SegmentationStep::Step(const data::Batch& batch) {
  const at::Device device = class_embeddings_.device();
  const at::Tensor images = batch.images.to(device);
  const at::Tensor labels = batch.labels.to(device);
  const at::Tensor text = class_embeddings_.index_select(0, trained_);
  std::vector<at::Tensor> masks = model_->forward(images, text);
  const int64_t height = labels.size(1), width = labels.size(2);
  // Upsampled once: the last layer's logits serve the pseudo-labels and the loss (a 64x64 batch of 64 with 28
  // classes is 7.3 M values).
  // In fp32 whatever the forward computed in (bf16 autocast), as the authors' force_fp32 loss.
  const at::Tensor last = model::UpsampleLogits(nn::FullPrecision(masks.back()), height, width);
  const at::Tensor targets = Targets(labels, last);
  const size_t first = options_.deep_supervision ? 0 : masks.size() - 1;
  StepOutput out;
  out.loss = at::zeros({}, images.options());
  double focal = 0, dice = 0, ce = 0;
  for (size_t layer = first; layer < masks.size(); ++layer) {
    const at::Tensor logits =
        layer + 1 == masks.size() ? last : model::UpsampleLogits(nn::FullPrecision(masks[layer]), height, width);
    if (options_.loss == LossKind::kNel) {
      losses::NelLossResult r = losses::NelLoss(logits, targets, trained_.numel(), options_.nel,
                                                average_across_ranks_);
      out.loss = out.loss + r.total;
      focal += r.focal.item<double>();
      dice += r.dice.item<double>();
    } else {
      at::Tensor l = losses::SoftmaxCrossEntropyLoss(logits, targets);
      out.loss = out.loss + l;
      ce += l.item<double>();
    }
  }
  if (options_.loss == LossKind::kNel) {
    out.scalars = {{"loss_focal", focal}, {"loss_dice", dice}};
  } else {
    out.scalars = {{"loss_ce", ce}};
  }
  return out;
}

}  // namespace zegclip::train
