#include "zegclip/losses/fused_nel_loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace zegclip::losses {
namespace {

// Labels with every case: present and absent classes, ignored pixels, and one image that is entirely ignored.
at::Tensor MixedLabels(int64_t batch, int64_t classes, int64_t size) {
  at::manual_seed(3);
  at::Tensor labels = at::randint(0, classes, {batch, size, size}, at::kLong);
  labels.masked_fill_(at::rand({batch, size, size}) < 0.3, 255);
  labels.select(1, 0).fill_(1);  // class 1 present in every image but the last
  labels[batch - 1].fill_(255);
  return labels;
}

struct Case {
  std::string name;
  NelLossOptions options;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (bool ignore_as_negative : {true, false}) {
    for (double gamma : {2.0, 1.5, 1.0, 0.0}) {
      for (double alpha : {0.25, -1.0}) {
        NelLossOptions o;
        o.ignore_as_negative = ignore_as_negative;
        o.gamma = gamma;
        o.alpha = alpha;
        o.focal_weight = 20;
        o.dice_weight = 1.5;
        cases.push_back({"ignore_as_negative=" + std::to_string(ignore_as_negative) + " gamma=" +
                             std::to_string(gamma) + " alpha=" + std::to_string(alpha),
                         o});
      }
    }
  }
  return cases;
}

// The fused loss against the composed one evaluated in double (an independent implementation, itself checked
// against finite differences and a per-pixel loop in nel_loss_test): values and every logit's gradient.
TEST(FusedNelLoss, MatchesTheComposedLossInValueAndGradient) {
  const at::Tensor labels = MixedLabels(3, 5, 9);
  at::manual_seed(4);
  const at::Tensor logits = at::randn({3, 5, 9, 9}) * 4;  // some logits far into both tails
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const auto half = [](double n) { return n / 2; };  // a stand-in for the mean over ranks
    at::Tensor x = logits.clone().requires_grad_();
    NelLossResult fused = FusedNelLoss(x, labels, 5, c.options, half);
    fused.total.backward();
    at::Tensor reference_x = logits.to(at::kDouble).requires_grad_();
    NelLossResult reference = ComposedNelLoss(reference_x, labels, 5, c.options, half);
    reference.total.backward();

    EXPECT_EQ(fused.num_masks, reference.num_masks);
    EXPECT_NEAR(fused.focal.item<double>(), reference.focal.item<double>(), 1e-5 * reference.focal.item<double>());
    EXPECT_NEAR(fused.dice.item<double>(), reference.dice.item<double>(), 1e-5 * reference.dice.item<double>());
    EXPECT_NEAR(fused.total.item<double>(), reference.total.item<double>(), 1e-5 * reference.total.item<double>());
    const at::Tensor grad = x.grad().to(at::kDouble), expected = reference_x.grad();
    const double scale = expected.abs().max().item<double>();
    ASSERT_GT(scale, 0);
    EXPECT_LT((grad - expected).abs().max().item<double>(), 1e-5 * scale);
    if (!c.options.ignore_as_negative) {  // ignored pixels take no part: their gradient is exactly zero
      EXPECT_EQ(grad.masked_select((labels == 255).unsqueeze(1).expand_as(grad)).abs().max().item<double>(), 0);
    }
  }
}

TEST(FusedNelLoss, NelLossDispatchesByDeviceAndType) {
  const at::Tensor labels = MixedLabels(2, 4, 6);
  at::manual_seed(5);
  const at::Tensor logits = at::randn({2, 4, 6, 6});
  EXPECT_TRUE(FusedNelLossApplies(logits));
  EXPECT_FALSE(FusedNelLossApplies(logits.to(at::kDouble)));
  EXPECT_FALSE(FusedNelLossApplies(logits.to(at::kBFloat16)));
  // The float path through NelLoss is the fused one: bit-identical to calling it directly.
  EXPECT_TRUE(NelLoss(logits, labels, 4).total.equal(FusedNelLoss(logits, labels, 4).total));
}

TEST(FusedNelLoss, SaturatedLogitsGiveFiniteLossAndGradient) {
  at::Tensor labels = at::zeros({1, 4, 4}, at::kLong);
  labels.select(2, 0).fill_(1);
  at::Tensor x = (at::rand({1, 2, 4, 4}) > 0.5).to(at::kFloat).mul(200).sub(100).requires_grad_();  // ±100
  NelLossResult r = FusedNelLoss(x, labels, 2);
  r.total.backward();
  EXPECT_TRUE(std::isfinite(r.total.item<double>()));
  EXPECT_TRUE(x.grad().isfinite().all().item<bool>());
}

// An infinite logit on the side its target agrees with (+inf on a target pixel, -inf elsewhere) is a certain,
// correct prediction: zero loss and zero gradient there, not the NaN that 0 · inf from the other side would give.
TEST(FusedNelLoss, InfiniteLogitsOnTheRightSideContributeNothing) {
  at::Tensor labels = at::zeros({1, 4, 4}, at::kLong);
  labels.select(2, 0).fill_(1);
  const float inf = std::numeric_limits<float>::infinity();
  at::Tensor x = at::stack({at::where(labels[0] == 0, inf, -inf), at::where(labels[0] == 1, inf, -inf)}).unsqueeze(0);
  x.requires_grad_();
  NelLossOptions options;
  options.dice_weight = 0;  // the dice of a perfect mask is not 0 (its +1 smoothing), only the focal term is
  NelLossResult r = FusedNelLoss(x, labels, 2, options);
  r.total.backward();
  EXPECT_EQ(r.focal.item<double>(), 0);
  EXPECT_TRUE(x.grad().isfinite().all().item<bool>());
}

TEST(FusedNelLoss, BadInputIsNamed) {
  const at::Tensor logits = at::zeros({1, 3, 4, 4});
  at::Tensor labels = at::zeros({1, 4, 4}, at::kLong);
  labels[0][1][2] = 7;
  try {
    FusedNelLoss(logits, labels, 3);
    FAIL() << "a label out of range was accepted";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("NelLoss: labels must be in [0, 3) or 255 (ignore); found e.g. 7"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(FusedNelLoss(logits, at::zeros({1, 5, 4}, at::kLong), 3), c10::Error);
  EXPECT_THROW(FusedNelLoss(logits.to(at::kDouble), at::zeros({1, 4, 4}, at::kLong), 3), c10::Error);
}

}  // namespace
}  // namespace zegclip::losses
