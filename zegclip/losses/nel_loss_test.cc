#include "zegclip/losses/nel_loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "zegclip/losses/gradient_check_testutil.h"
#include "zegclip/testing/tensor_fixtures.h"

namespace zegclip::losses {
namespace {

using ::zegclip::testing::SomeLabels;

struct NaiveNel {
  double focal = 0.0, dice = 0.0, num_present = 0.0;
};

// The whole NEL written per pixel, with its own target construction and its own present-pair count.
NaiveNel NaiveNelLoss(const at::Tensor& logits, const at::Tensor& labels, bool ignore_as_negative,
                      double num_masks) {
  auto x = logits.accessor<double, 4>();
  auto l = labels.accessor<int64_t, 3>();
  NaiveNel r;
  for (int64_t b = 0; b < x.size(0); ++b) {
    std::set<int64_t> present;
    for (int64_t i = 0; i < x.size(2); ++i) {
      for (int64_t j = 0; j < x.size(3); ++j) {
        if (l[b][i][j] != 255) present.insert(l[b][i][j]);
      }
    }
    r.num_present += present.size();
    for (int64_t c = 0; c < x.size(1); ++c) {
      double focal_sum = 0.0, sp = 0.0, st = 0.0, spt = 0.0;
      int64_t count = 0;
      for (int64_t i = 0; i < x.size(2); ++i) {
        for (int64_t j = 0; j < x.size(3); ++j) {
          const double p = 1.0 / (1.0 + std::exp(-x[b][c][i][j]));
          const double t = l[b][i][j] == c ? 1.0 : 0.0;
          if (!ignore_as_negative && l[b][i][j] == 255) continue;  // left out of the whole loss
          sp += p;
          st += t;
          spt += p * t;
          const double ce = t > 0 ? -std::log(p) : -std::log(1.0 - p);
          const double one_minus_pt = t > 0 ? 1.0 - p : p;
          focal_sum += (t > 0 ? 0.25 : 0.75) * ce * one_minus_pt * one_minus_pt;
          ++count;
        }
      }
      if (count > 0) r.focal += focal_sum / count;
      if (present.count(c)) r.dice += 1.0 - (2.0 * spt + 1.0) / (sp + st + 1.0);
    }
  }
  r.focal /= num_masks;
  r.dice /= num_masks;
  return r;
}

TEST(NelLoss, MatchesNaiveLoopWithTheAuthorsNormalisation) {
  at::manual_seed(40);
  at::Tensor logits = 2.0 * at::randn({2, 3, 3, 4}, at::kDouble);
  for (bool ignore_as_negative : {true, false}) {
    NelLossOptions o;
    o.ignore_as_negative = ignore_as_negative;
    NelLossResult r = NelLoss(logits, SomeLabels(), 3, o);
    NaiveNel n = NaiveNelLoss(logits, SomeLabels(), ignore_as_negative, 5.0);
    EXPECT_EQ(n.num_present, 5.0);
    EXPECT_EQ(r.num_masks, 5.0);
    EXPECT_NEAR(r.focal.item<double>(), n.focal, 1e-12) << ignore_as_negative;
    EXPECT_NEAR(r.dice.item<double>(), n.dice, 1e-12) << ignore_as_negative;
    EXPECT_NEAR(r.total.item<double>(), 100.0 * n.focal + n.dice, 1e-10) << ignore_as_negative;
  }
}

TEST(NelLoss, NumMasksGoesThroughTheAveragingCallbackAndIsClamped) {
  at::manual_seed(41);
  at::Tensor logits = at::randn({2, 3, 3, 4}, at::kDouble);
  double seen = -1.0;
  // As if another rank had 11 present pairs: mean (5 + 11) / 2 = 8.
  NelLossResult r = NelLoss(logits, SomeLabels(), 3, {}, [&](double n) {
    seen = n;
    return (n + 11.0) / 2.0;
  });
  EXPECT_EQ(seen, 5.0);
  EXPECT_EQ(r.num_masks, 8.0);
  NaiveNel n = NaiveNelLoss(logits, SomeLabels(), true, 8.0);
  EXPECT_NEAR(r.focal.item<double>(), n.focal, 1e-12);
  EXPECT_NEAR(r.dice.item<double>(), n.dice, 1e-12);
  NelLossResult clamped = NelLoss(logits, SomeLabels(), 3, {}, [](double) { return 0.25; });
  EXPECT_EQ(clamped.num_masks, 1.0);
  EXPECT_NEAR(clamped.focal.item<double>(), 8.0 * n.focal, 1e-12);
}

TEST(NelLoss, AllIgnoredIsFiniteAndPushesEveryClassDown) {
  at::Tensor logits = at::randn({1, 3, 2, 2}, at::kDouble).requires_grad_();
  at::Tensor labels = at::full({1, 2, 2}, 255, at::kLong);
  NelLossResult r = NelLoss(logits, labels, 3);
  EXPECT_EQ(r.num_masks, 1.0);
  EXPECT_TRUE(std::isfinite(r.total.item<double>()));
  EXPECT_EQ(r.dice.item<double>(), 0.0);
  NaiveNel n = NaiveNelLoss(logits.detach(), labels, true, 1.0);
  EXPECT_NEAR(r.focal.item<double>(), n.focal, 1e-12);
  r.total.backward();
  EXPECT_TRUE(at::all(logits.grad() > 0).item<bool>());  // all-zero targets: every logit is a negative
  NelLossOptions leave_out;
  leave_out.ignore_as_negative = false;
  EXPECT_EQ(NelLoss(logits, labels, 3, leave_out).total.item<double>(), 0.0);
}

TEST(NelLoss, GradientMatchesFiniteDifferences) {
  at::manual_seed(42);
  at::Tensor logits = at::randn({2, 3, 3, 4}, at::kDouble);
  at::Tensor labels = SomeLabels();
  for (bool ignore_as_negative : {true, false}) {
    NelLossOptions o;
    o.ignore_as_negative = ignore_as_negative;
    ExpectGradientMatchesFiniteDifferences([&](const at::Tensor& x) { return NelLoss(x, labels, 3, o).total; },
                                           logits);
  }
}

TEST(NelLoss, RejectsClassCountOrResolutionMismatch) {
  EXPECT_THROW(NelLoss(at::zeros({2, 4, 3, 4}), SomeLabels(), 3), c10::Error);
  EXPECT_THROW(NelLoss(at::zeros({2, 3, 6, 8}), SomeLabels(), 3), c10::Error);
  EXPECT_THROW(NelLoss(at::zeros({2, 2, 3, 4}), SomeLabels(), 2), c10::Error);  // label 2 is not a trained class
}

}  // namespace
}  // namespace zegclip::losses
