#include "zegclip/model/inference.h"

#include <gtest/gtest.h>
#include <torch/nn/functional/upsampling.h>

#include <cmath>

namespace zegclip::model {
namespace {

InferenceOptions Slide(int64_t crop, int64_t stride) {
  InferenceOptions o;
  o.mode = InferenceMode::kSlide;
  o.crop = crop;
  o.stride = stride;
  return o;
}

// Images (1, 3, 8, 12) whose channel 0 holds the column index, so a model can tell which window it is given.
at::Tensor ColumnImage() {
  return at::arange(12, at::kFloat).view({1, 1, 1, 12}).expand({1, 3, 8, 12}).contiguous();
}

// Two classes; the window starting at column 0 says (20, 1.5), the other (-2, 1.5), at a 2x2 grid.
at::Tensor TwoOpinions(const at::Tensor& window) {
  const bool first = window[0][0][0][0].item<float>() == 0;
  at::Tensor logits = at::empty({window.size(0), 2, 2, 2});
  logits.select(1, 0).fill_(first ? 20.0 : -2.0);
  logits.select(1, 1).fill_(1.5);
  return logits;
}

double Sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

TEST(Inference, OverlapAveragesWindowScoresNotLogits) {
  // crop 8, stride 4 over width 12: windows at x = 0 and x = 4, overlapping in columns 4..7.
  // Averaging logits there picks class 0 (mean 9 > 1.5); averaging sigmoids picks class 1 (0.56 < 0.82), which is
  // what the authors' slide_inference does.
  ASSERT_GT((20.0 - 2.0) / 2, 1.5);
  ASSERT_LT((Sigmoid(20) + Sigmoid(-2)) / 2, Sigmoid(1.5));
  const at::Tensor scores = Scores(TwoOpinions, ColumnImage(), Slide(8, 4));
  ASSERT_EQ(scores.sizes(), (at::IntArrayRef{1, 2, 8, 12}));
  EXPECT_NEAR(scores[0][0][3][5].item<float>(), (Sigmoid(20) + Sigmoid(-2)) / 2, 1e-6);
  EXPECT_NEAR(scores[0][1][3][5].item<float>(), Sigmoid(1.5), 1e-6);
  const at::Tensor labels = LabelsFromScores(scores)[0];
  for (int64_t x = 0; x < 12; ++x) {
    const int64_t expected = x < 4 ? 0 : 1;  // first window alone: class 0; overlap and second window: class 1
    EXPECT_EQ(labels[0][x].item<int64_t>(), expected) << "column " << x;
  }
}

TEST(Inference, WindowLogitsAreUpsampledBeforeTheyAreScored) {
  // A 2x2 logit grid with a sharp edge: sigmoid(upsample(logits)) differs from upsample(sigmoid(logits)).
  const at::Tensor grid = at::tensor({-6.0f, 6.0f, -6.0f, 6.0f}).view({1, 1, 2, 2});
  auto model = [&](const at::Tensor& x) { return grid.expand({x.size(0), 1, 2, 2}); };
  const at::Tensor scores = Scores(model, at::zeros({1, 3, 8, 8}), InferenceOptions{});
  namespace F = torch::nn::functional;
  const at::Tensor expected =
      F::interpolate(grid, F::InterpolateFuncOptions().size(std::vector<int64_t>{8, 8}).mode(torch::kBilinear)
                               .align_corners(false)).sigmoid();
  EXPECT_TRUE(at::allclose(scores, expected, 0, 1e-7));
  EXPECT_FALSE(at::allclose(scores, F::interpolate(grid.sigmoid(), F::InterpolateFuncOptions()
                                                                        .size(std::vector<int64_t>{8, 8})
                                                                        .mode(torch::kBilinear)
                                                                        .align_corners(false)),
                            0, 1e-3));
}

TEST(Inference, SoftmaxScoresForElSumToOneOverClasses) {
  InferenceOptions o;
  o.score = ScoreKind::kSoftmax;
  auto model = [](const at::Tensor& x) { return at::randn({x.size(0), 5, 4, 4}); };
  const at::Tensor scores = Scores(model, at::zeros({2, 3, 16, 16}), o);
  EXPECT_TRUE(at::allclose(scores.sum(1), at::ones({2, 16, 16}), 0, 1e-6));
}

TEST(Inference, SeenOffsetTouchesOnlyTheListedClassesAndCommutesWithAveraging) {
  InferenceOptions o = Slide(8, 4);
  const at::Tensor plain = Scores(TwoOpinions, ColumnImage(), o);
  o.offset_classes = {0};
  o.seen_offset = 0.1;
  const at::Tensor calibrated = Scores(TwoOpinions, ColumnImage(), o);
  EXPECT_TRUE(calibrated.select(1, 1).equal(plain.select(1, 1)));
  EXPECT_TRUE(at::allclose(calibrated.select(1, 0), plain.select(1, 0) - 0.1, 0, 1e-6));
  // Per window (the authors' order) or after averaging (the offset sweep): the same scores.
  EXPECT_TRUE(at::allclose(calibrated, SubtractSeenOffset(plain, {0}, 0.1), 0, 1e-6));
  EXPECT_THROW(SubtractSeenOffset(plain, {2}, 0.1), c10::Error);
}

TEST(Inference, WholeImagesArePaddedToTheSizeDivisorAndCutBack) {
  InferenceOptions o;
  o.size_divisor = 8;
  int64_t seen_h = 0, seen_w = 0;
  auto model = [&](const at::Tensor& x) {
    seen_h = x.size(2);
    seen_w = x.size(3);
    return x.slice(1, 0, 1);  // logits = channel 0 at full resolution
  };
  const at::Tensor image = at::rand({1, 3, 13, 10});
  const at::Tensor scores = Scores(model, image, o);
  EXPECT_EQ(seen_h, 16);
  EXPECT_EQ(seen_w, 16);
  ASSERT_EQ(scores.sizes(), (at::IntArrayRef{1, 1, 13, 10}));
  EXPECT_TRUE(at::allclose(scores, image.slice(1, 0, 1).sigmoid()));
}

TEST(Inference, WindowsCutByASmallImageArePaddedToTheCrop) {
  int64_t seen = 0;
  auto model = [&](const at::Tensor& x) {
    seen = x.size(2) * 100 + x.size(3);
    return x.slice(1, 0, 1) * 3;
  };
  const at::Tensor image = at::rand({1, 3, 20, 12});
  const at::Tensor scores = Scores(model, image, Slide(32, 16));
  EXPECT_EQ(seen, 3232);
  EXPECT_TRUE(at::allclose(scores, (image.slice(1, 0, 1) * 3).sigmoid()));
}

TEST(Inference, PositionIndependentModelSlidesToTheWholeImageAnswer) {
  const at::Tensor images = at::rand({2, 3, 37, 53});
  auto pixelwise = [](const at::Tensor& x) { return at::cat({x.sum(1, true), x.mean(1, true) * 2}, 1); };
  EXPECT_TRUE(at::allclose(Scores(pixelwise, images, Slide(16, 10)), Scores(pixelwise, images, InferenceOptions{}),
                           1e-5, 1e-6));
}

TEST(Inference, ResizeToTheLabelIsBilinearWithoutCornerAlignment) {
  const at::Tensor scores = at::tensor({0.0f, 1.0f}).view({1, 1, 1, 2});
  const at::Tensor resized = ResizeScores(scores, 1, 4);
  // align_corners = false: output x = (i + 0.5) / 2 - 0.5 in input pixels → 0, 0.25, 0.75, 1.
  EXPECT_TRUE(at::allclose(resized, at::tensor({0.0f, 0.25f, 0.75f, 1.0f}).view({1, 1, 1, 4})));
}

}  // namespace
}  // namespace zegclip::model
