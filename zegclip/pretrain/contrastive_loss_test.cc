#include "zegclip/pretrain/contrastive_loss.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include <cmath>

namespace zegclip::pretrain {
namespace {

TEST(ContrastiveLoss, DistinctCaptionsGiveClipsLoss) {
  at::manual_seed(0);
  at::Tensor image = at::randn({5, 8}, at::kDouble), text = at::randn({5, 8}, at::kDouble);
  at::Tensor scale = at::tensor(std::log(1 / 0.07), at::kDouble);
  // CLIP's pseudo-code: (CE(logits, arange) + CE(logits.T, arange)) / 2 on normalised features.
  at::Tensor logits = scale.exp() * (image / image.norm(2, -1, true)).matmul((text / text.norm(2, -1, true)).t());
  at::Tensor labels = at::arange(5, at::kLong);
  at::Tensor expected = (at::cross_entropy_loss(logits, labels) + at::cross_entropy_loss(logits.t(), labels)) / 2;
  EXPECT_NEAR(ContrastiveLoss(image, text, scale).item<double>(), expected.item<double>(), 1e-12);
  EXPECT_NEAR(ContrastiveLoss(image, text, scale, at::arange(5, at::kLong)).item<double>(),
              expected.item<double>(), 1e-12);
}

TEST(ContrastiveLoss, DuplicateCaptionsAreInterchangeablePositives) {
  // Images 0 and 1 share a caption: with caption ids it must not matter which of the two texts is paired with which
  // image; without ids it does (each duplicate is the other's negative).
  at::manual_seed(3);
  at::Tensor image = at::randn({3, 4}, at::kDouble), text = at::randn({3, 4}, at::kDouble);
  at::Tensor swapped = text.index_select(0, at::tensor({1, 0, 2}, at::kLong));
  at::Tensor scale = at::tensor(2.0, at::kDouble), ids = at::tensor({5, 5, 9}, at::kLong);
  EXPECT_NEAR(ContrastiveLoss(image, text, scale, ids).item<double>(),
              ContrastiveLoss(image, swapped, scale, ids).item<double>(), 1e-12);
  EXPECT_GT(std::abs(ContrastiveLoss(image, text, scale).item<double>() -
                     ContrastiveLoss(image, swapped, scale).item<double>()), 1e-3);
}

TEST(ContrastiveLoss, MultiPositiveValueMatchesLoops) {
  at::manual_seed(4);
  at::Tensor image = at::randn({4, 3}, at::kDouble), text = at::randn({4, 3}, at::kDouble);
  const std::vector<int64_t> ids = {1, 2, 1, 1};
  const double scale = 1.7;
  at::Tensor in = image / image.norm(2, -1, true), tn = text / text.norm(2, -1, true);
  double total = 0;
  for (int direction = 0; direction < 2; ++direction) {
    for (int i = 0; i < 4; ++i) {
      double denominator = 0, positives = 0, sum_log = 0;
      for (int j = 0; j < 4; ++j) {
        const at::Tensor a = direction == 0 ? in[i] : tn[i], b = direction == 0 ? tn[j] : in[j];
        denominator += std::exp(std::exp(scale) * a.dot(b).item<double>());
      }
      for (int j = 0; j < 4; ++j) {
        if (ids[i] != ids[j]) continue;
        const at::Tensor a = direction == 0 ? in[i] : tn[i], b = direction == 0 ? tn[j] : in[j];
        sum_log += std::exp(scale) * a.dot(b).item<double>() - std::log(denominator);
        positives += 1;
      }
      total += -sum_log / positives / 4;
    }
  }
  EXPECT_NEAR(ContrastiveLoss(image, text, at::tensor(scale, at::kDouble), at::tensor(ids, at::kLong)).item<double>(),
              total / 2, 1e-12);
}

TEST(ContrastiveLoss, TemperatureIsClampedAtOneHundred) {
  at::manual_seed(1);
  at::Tensor image = at::randn({4, 6}, at::kDouble), text = at::randn({4, 6}, at::kDouble);
  EXPECT_DOUBLE_EQ(ContrastiveLoss(image, text, at::tensor(9.0, at::kDouble)).item<double>(),
                   ContrastiveLoss(image, text, at::tensor(kMaxLogitScale, at::kDouble)).item<double>());
}

TEST(ContrastiveLoss, GradientMatchesFiniteDifferences) {
  at::manual_seed(2);
  at::Tensor image = at::randn({4, 3}, at::kDouble).requires_grad_();
  at::Tensor text = at::randn({4, 3}, at::kDouble);
  at::Tensor scale = at::tensor(1.3, at::kDouble).requires_grad_();
  at::Tensor ids = at::tensor({0, 1, 0, 2}, at::kLong);
  ContrastiveLoss(image, text, scale, ids).backward();
  const double eps = 1e-6;
  for (int64_t i = 0; i < image.numel(); ++i) {
    at::Tensor plus = image.detach().clone(), minus = image.detach().clone();
    plus.view(-1)[i] += eps;
    minus.view(-1)[i] -= eps;
    const double numeric = (ContrastiveLoss(plus, text, scale, ids).item<double>() -
                            ContrastiveLoss(minus, text, scale, ids).item<double>()) / (2 * eps);
    EXPECT_NEAR(image.grad().view(-1)[i].item<double>(), numeric, 1e-7) << i;
  }
  const double numeric_scale = (ContrastiveLoss(image.detach(), text, scale.detach() + eps, ids).item<double>() -
                                ContrastiveLoss(image.detach(), text, scale.detach() - eps, ids).item<double>()) /
                               (2 * eps);
  EXPECT_NEAR(scale.grad().item<double>(), numeric_scale, 1e-7);
}

}  // namespace
}  // namespace zegclip::pretrain
