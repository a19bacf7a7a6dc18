#include "zegclip/losses/focal_loss.h"

#include <gtest/gtest.h>

#include <cmath>

#include "zegclip/losses/gradient_check_testutil.h"
#include "zegclip/losses/mask_targets.h"
#include "zegclip/testing/tensor_fixtures.h"

namespace zegclip::losses {
namespace {

using ::zegclip::testing::SomeLabels;

// One pixel's focal term, written out from the definition.
double NaiveFocal(double x, double t, double alpha, double gamma) {
  const double p = 1.0 / (1.0 + std::exp(-x));
  const double ce = -(t * std::log(p) + (1.0 - t) * std::log(1.0 - p));
  const double p_t = p * t + (1.0 - p) * (1.0 - t);
  const double alpha_t = alpha * t + (1.0 - alpha) * (1.0 - t);
  return alpha_t * ce * std::pow(1.0 - p_t, gamma);
}

// Sum over (image, class) of the mean over (optionally only valid) pixels, / num_masks.
double NaiveFocalLoss(const at::Tensor& logits, const at::Tensor& labels, bool skip_ignored, double num_masks,
                      double alpha, double gamma) {
  auto x = logits.accessor<double, 4>();
  auto l = labels.accessor<int64_t, 3>();
  double total = 0.0;
  for (int64_t b = 0; b < x.size(0); ++b) {
    for (int64_t c = 0; c < x.size(1); ++c) {
      double sum = 0.0;
      int64_t count = 0;
      for (int64_t i = 0; i < x.size(2); ++i) {
        for (int64_t j = 0; j < x.size(3); ++j) {
          if (skip_ignored && l[b][i][j] == 255) continue;
          sum += NaiveFocal(x[b][c][i][j], l[b][i][j] == c ? 1.0 : 0.0, alpha, gamma);
          ++count;
        }
      }
      total += count > 0 ? sum / count : 0.0;
    }
  }
  return total / num_masks;
}

TEST(FocalLoss, MatchesNaiveLoopWithIgnoredAsNegatives) {
  at::manual_seed(10);
  at::Tensor logits = 2.0 * at::randn({2, 3, 3, 4}, at::kDouble);
  at::Tensor labels = SomeLabels();
  MaskTargets t = MakeMaskTargets(labels, 3, at::kDouble);
  const double got = FocalLoss(logits, t.one_hot, {}, 5.0).item<double>();
  EXPECT_NEAR(got, NaiveFocalLoss(logits, labels, false, 5.0, 0.25, 2.0), 1e-12);
}

TEST(FocalLoss, MatchesNaiveLoopWithIgnoredLeftOut) {
  at::manual_seed(11);
  at::Tensor logits = 2.0 * at::randn({2, 3, 3, 4}, at::kDouble);
  at::Tensor labels = SomeLabels();
  MaskTargets t = MakeMaskTargets(labels, 3, at::kDouble);
  const double got = FocalLoss(logits, t.one_hot, t.valid, 5.0, FocalLossOptions{0.4, 1.5}).item<double>();
  EXPECT_NEAR(got, NaiveFocalLoss(logits, labels, true, 5.0, 0.4, 1.5), 1e-12);
  EXPECT_GT(std::abs(got - NaiveFocalLoss(logits, labels, false, 5.0, 0.4, 1.5)), 1e-6);
}

TEST(FocalLoss, GradientMatchesFiniteDifferences) {
  at::manual_seed(12);
  at::Tensor logits = at::randn({2, 3, 3, 4}, at::kDouble);
  MaskTargets t = MakeMaskTargets(SomeLabels(), 3, at::kDouble);
  ExpectGradientMatchesFiniteDifferences([&](const at::Tensor& x) { return FocalLoss(x, t.one_hot, {}, 5.0); },
                                         logits);
  ExpectGradientMatchesFiniteDifferences(
      [&](const at::Tensor& x) { return FocalLoss(x, t.one_hot, t.valid, 5.0); }, logits);
}

TEST(FocalLoss, StableForHugeLogits) {
  at::Tensor logits = at::tensor({80.0, -80.0, 80.0, -80.0}).view({1, 1, 2, 2});
  at::Tensor targets = at::tensor({1.0, 0.0, 0.0, 1.0}).view({1, 1, 2, 2});
  // Two right at ~0 loss; two wrong: α_t·80·1 each -> (0.75·80 + 0.25·80) / 4.
  EXPECT_NEAR(FocalLoss(logits, targets, {}, 1.0).item<double>(), (0.75 * 80 + 0.25 * 80) / 4.0, 1e-5);
}

TEST(FocalLoss, RejectsMismatchedShapes) {
  EXPECT_THROW(FocalLoss(at::zeros({1, 2, 3, 3}), at::zeros({1, 2, 3, 4}), {}, 1.0), c10::Error);
  EXPECT_THROW(FocalLoss(at::zeros({1, 2, 3, 3}), at::zeros({1, 2, 3, 3}), {}, 0.0), c10::Error);
}

}  // namespace
}  // namespace zegclip::losses
