#include "zegclip/losses/softmax_cross_entropy_loss.h"

#include <gtest/gtest.h>

#include <cmath>

#include "zegclip/losses/gradient_check_testutil.h"
#include "zegclip/testing/tensor_fixtures.h"

namespace zegclip::losses {
namespace {

using ::zegclip::testing::SomeLabels;

double NaiveCrossEntropy(const at::Tensor& logits, const at::Tensor& labels) {
  auto x = logits.accessor<double, 4>();
  auto l = labels.accessor<int64_t, 3>();
  double sum = 0.0;
  int64_t count = 0;
  for (int64_t b = 0; b < x.size(0); ++b) {
    for (int64_t i = 0; i < x.size(2); ++i) {
      for (int64_t j = 0; j < x.size(3); ++j) {
        if (l[b][i][j] == 255) continue;
        double z = 0.0;
        for (int64_t c = 0; c < x.size(1); ++c) z += std::exp(x[b][c][i][j]);
        sum += std::log(z) - x[b][l[b][i][j]][i][j];
        ++count;
      }
    }
  }
  return sum / count;
}

TEST(SoftmaxCrossEntropyLoss, MatchesNaiveLoopOverLabelledPixels) {
  at::manual_seed(30);
  at::Tensor logits = 2.0 * at::randn({2, 3, 3, 4}, at::kDouble);
  EXPECT_NEAR(SoftmaxCrossEntropyLoss(logits, SomeLabels()).item<double>(), NaiveCrossEntropy(logits, SomeLabels()),
              1e-12);
}

TEST(SoftmaxCrossEntropyLoss, GradientMatchesFiniteDifferences) {
  at::manual_seed(31);
  at::Tensor logits = at::randn({2, 3, 3, 4}, at::kDouble);
  at::Tensor labels = SomeLabels();
  ExpectGradientMatchesFiniteDifferences([&](const at::Tensor& x) { return SoftmaxCrossEntropyLoss(x, labels); },
                                         logits);
}

TEST(SoftmaxCrossEntropyLoss, AllIgnoredGivesZeroNotNan) {
  at::Tensor logits = at::randn({1, 3, 2, 2}, at::kDouble).requires_grad_();
  at::Tensor loss = SoftmaxCrossEntropyLoss(logits, at::full({1, 2, 2}, 255, at::kLong));
  EXPECT_EQ(loss.item<double>(), 0.0);
  loss.backward();
  EXPECT_EQ(logits.grad().abs().sum().item<double>(), 0.0);
}

TEST(SoftmaxCrossEntropyLoss, RejectsLabelsOutsideTheTrainedClasses) {
  at::Tensor labels = at::zeros({1, 2, 2}, at::kLong);
  labels[0][1][1] = 3;  // an unseen class that was not mapped to 255
  try {
    SoftmaxCrossEntropyLoss(at::zeros({1, 3, 2, 2}), labels);
    FAIL() << "expected an error";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("labels must be in [0, 3) or 255"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SoftmaxCrossEntropyLoss(at::zeros({1, 3, 2, 2}), at::zeros({1, 4, 4}, at::kLong)), c10::Error);
}

}  // namespace
}  // namespace zegclip::losses
