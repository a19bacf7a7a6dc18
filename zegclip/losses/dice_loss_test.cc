#include "zegclip/losses/dice_loss.h"

#include <gtest/gtest.h>

#include <cmath>

#include "zegclip/losses/gradient_check_testutil.h"
#include "zegclip/losses/mask_targets.h"
#include "zegclip/testing/tensor_fixtures.h"

namespace zegclip::losses {
namespace {

using ::zegclip::testing::SomeLabels;

// Σ over present (image, class) of 1 − (2Σpt + 1)/(Σp + Σt + 1), / num_masks; present found by scanning labels.
double NaiveDiceLoss(const at::Tensor& logits, const at::Tensor& labels, double num_masks) {
  auto x = logits.accessor<double, 4>();
  auto l = labels.accessor<int64_t, 3>();
  double total = 0.0;
  for (int64_t b = 0; b < x.size(0); ++b) {
    for (int64_t c = 0; c < x.size(1); ++c) {
      double sp = 0.0, st = 0.0, spt = 0.0;
      for (int64_t i = 0; i < x.size(2); ++i) {
        for (int64_t j = 0; j < x.size(3); ++j) {
          const double p = 1.0 / (1.0 + std::exp(-x[b][c][i][j]));
          const double t = l[b][i][j] == c ? 1.0 : 0.0;
          sp += p;
          st += t;
          spt += p * t;
        }
      }
      if (st > 0) total += 1.0 - (2.0 * spt + 1.0) / (sp + st + 1.0);
    }
  }
  return total / num_masks;
}

TEST(DiceLoss, MatchesNaiveLoopOnPresentPairsOnly) {
  at::manual_seed(20);
  at::Tensor logits = 2.0 * at::randn({2, 3, 3, 4}, at::kDouble);
  MaskTargets t = MakeMaskTargets(SomeLabels(), 3, at::kDouble);
  ASSERT_EQ(t.num_present, 5);  // image 0: {0,1,2}; image 1: {0,1}
  EXPECT_NEAR(DiceLoss(logits, t.one_hot, t.present, 5.0).item<double>(), NaiveDiceLoss(logits, SomeLabels(), 5.0),
              1e-12);
}

TEST(DiceLoss, PerfectMaskGivesNearZeroAndAbsentPairsContributeNothing) {
  // Class 0 covers the image exactly; class 1 is absent even though its logits scream "present".
  at::Tensor labels = at::zeros({1, 2, 2}, at::kLong);
  MaskTargets t = MakeMaskTargets(labels, 2, at::kDouble);
  at::Tensor logits = at::full({1, 2, 2, 2}, 40.0, at::kDouble);
  // p ≈ 1 everywhere: 1 − (2·4 + 1)/(4 + 4 + 1) = 0 for class 0; class 1 not counted.
  EXPECT_NEAR(DiceLoss(logits, t.one_hot, t.present, 1.0).item<double>(), 0.0, 1e-12);
}

TEST(DiceLoss, GradientMatchesFiniteDifferences) {
  at::manual_seed(21);
  at::Tensor logits = at::randn({2, 3, 3, 4}, at::kDouble);
  MaskTargets t = MakeMaskTargets(SomeLabels(), 3, at::kDouble);
  ExpectGradientMatchesFiniteDifferences(
      [&](const at::Tensor& x) { return DiceLoss(x, t.one_hot, t.present, 5.0); }, logits);
}

TEST(DiceLoss, RejectsBadPresentMask) {
  EXPECT_THROW(DiceLoss(at::zeros({1, 2, 3, 3}), at::zeros({1, 2, 3, 3}), at::ones({1, 3}, at::kBool), 1.0),
               c10::Error);
  EXPECT_THROW(DiceLoss(at::zeros({1, 2, 3, 3}), at::zeros({1, 2, 3, 3}), at::ones({1, 2}), 1.0), c10::Error);
}

}  // namespace
}  // namespace zegclip::losses
