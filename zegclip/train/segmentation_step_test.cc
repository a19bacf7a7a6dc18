#include "zegclip/train/segmentation_step.h"

#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "zegclip/testing/tiny_segmentor_options.h"

namespace zegclip::train {
namespace {

model::SegmentorOptions Tiny() {
  return ::zegclip::testing::TinySegmentorOptions(clip::EncoderMode::kDeepPrompt, /*relationship_descriptor=*/true);
}

struct Fixture {
  model::ZegClipSegmentor model{Tiny()};
  at::Tensor text;
  data::Batch batch;
  Fixture() {
    torch::manual_seed(0);
    model = model::ZegClipSegmentor(Tiny());
    text = at::randn({4, 8});
    text = text / text.norm(2, -1, true);
    batch.images = at::randn({2, 3, 16, 16});
    batch.labels = at::randint(0, 4, {2, 16, 16}, at::kLong);
    batch.labels.index_put_({0, 0}, 255);
  }
  double Loss(model::Setting setting, LossKind kind, bool deep = false) {
    SegmentationStepOptions options;
    options.split = {4, {0, 2}, {1, 3}, setting};
    options.loss = kind;
    options.deep_supervision = deep;
    SegmentationStep step(model, text, options);
    torch::NoGradGuard no_grad;
    return step.Step(batch).loss.item<double>();
  }
};

TEST(SegmentationStep, InductiveLossIgnoresWhichUnseenClassAPixelHas) {
  Fixture f;
  const double before = f.Loss(model::Setting::kInductive, LossKind::kNel);
  f.batch.labels = at::where(f.batch.labels.eq(1), at::full_like(f.batch.labels, 3), f.batch.labels);
  EXPECT_DOUBLE_EQ(f.Loss(model::Setting::kInductive, LossKind::kNel), before);
  // Turning a seen pixel into an unseen one does change it.
  f.batch.labels.index_put_({1, 5, 5}, f.batch.labels[1][5][5].item<int64_t>() == 0 ? 1 : 0);
  EXPECT_NE(f.Loss(model::Setting::kInductive, LossKind::kNel), before);
}

TEST(SegmentationStep, TransductivePseudoLabelsMakeUnseenLabelsIrrelevantButNotIgnored) {
  Fixture f;
  // Pseudo-labels replace the unseen ids, so swapping unseen ids changes nothing...
  const double before = f.Loss(model::Setting::kTransductive, LossKind::kNel);
  f.batch.labels = at::where(f.batch.labels.eq(1), at::full_like(f.batch.labels, 3), f.batch.labels);
  EXPECT_NEAR(f.Loss(model::Setting::kTransductive, LossKind::kNel), before, 1e-9);
  // ...but the unseen pixels are trained (unlike the fully supervised loss, which uses the true unseen ids).
  EXPECT_NE(f.Loss(model::Setting::kFullySupervised, LossKind::kNel), before);
}

TEST(SegmentationStep, ElAndDeepSupervision) {
  Fixture f;
  const double el = f.Loss(model::Setting::kFullySupervised, LossKind::kEl);
  EXPECT_GT(el, 0);
  EXPECT_LT(el, 10);
  EXPECT_GT(f.Loss(model::Setting::kFullySupervised, LossKind::kEl, /*deep=*/true), el);
}

TEST(SegmentationStep, GradientsReachPromptsAndHead) {
  Fixture f;
  SegmentationStepOptions options;
  options.split = {4, {0, 2}, {1, 3}, model::Setting::kInductive};
  SegmentationStep step(f.model, f.text, options);
  StepOutput out = step.Step(f.batch);
  EXPECT_TRUE(out.scalars.count("loss_focal"));
  EXPECT_TRUE(out.scalars.count("loss_dice"));
  out.loss.backward();
  EXPECT_GT(f.model->clip->visual->prompt_embeddings.grad().abs().sum().item<double>(), 0);
  EXPECT_GT(f.model->rd->q_proj->weight.grad().abs().sum().item<double>(), 0);
}

}  // namespace
}  // namespace zegclip::train
