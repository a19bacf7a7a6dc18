#include "zegclip/clip/drop_path.h"

#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "zegclip/clip/transformer.h"

namespace zegclip::clip {
namespace {

TEST(DropPath, IdentityOutsideTraining) {
  at::Tensor x = at::randn({8, 3, 4});
  EXPECT_TRUE(DropPath(x, 0.5, /*training=*/false).equal(x));
  EXPECT_TRUE(DropPath(x, 0.0, /*training=*/true).equal(x));
}

TEST(DropPath, DropsWholeSamplesAndRescalesSurvivors) {
  at::manual_seed(11);
  const int64_t samples = 20000;
  at::Tensor x = at::ones({samples, 3, 2});
  at::Tensor y = DropPath(x, 0.25, /*training=*/true);
  // Every sample is either all 0 or all 1 / 0.75.
  at::Tensor per_sample_min = std::get<0>(y.reshape({samples, 6}).min(1));
  at::Tensor per_sample_max = std::get<0>(y.reshape({samples, 6}).max(1));
  EXPECT_TRUE(per_sample_min.equal(per_sample_max));
  at::Tensor kept = per_sample_max > 0;
  EXPECT_NEAR(per_sample_max.masked_select(kept).mean().item<float>(), 1.0f / 0.75f, 1e-6);
  // Drop rate 0.25 ± 4.5 sigma (sigma = sqrt(0.25 · 0.75 / 20000) = 0.003).
  EXPECT_NEAR(1.0 - kept.to(at::kDouble).mean().item<double>(), 0.25, 0.014);
  // Unbiased: E[y] = x.
  EXPECT_NEAR(y.mean().item<double>(), 1.0, 0.02);
}

TEST(DropPath, RejectsBadProbability) {
  EXPECT_THROW(DropPath(at::ones({2, 2}), 1.0, true), c10::Error);
  EXPECT_THROW(DropPath(at::ones({2, 2}), -0.1, true), c10::Error);
}

TEST(DropPath, ScheduleIsLinearOverDepth) {
  std::vector<double> rates = DropPathSchedule(0.1, 12);
  ASSERT_EQ(rates.size(), 12u);
  EXPECT_DOUBLE_EQ(rates[0], 0.0);
  EXPECT_DOUBLE_EQ(rates[1], 0.1 / 11);
  EXPECT_DOUBLE_EQ(rates[6], 0.6 / 11);
  EXPECT_DOUBLE_EQ(rates[11], 0.1);
  EXPECT_EQ(DropPathSchedule(0.3, 1), std::vector<double>{0.0});
}

TEST(DropPath, TransformerBlocksFollowTheSchedule) {
  Transformer t(TransformerOptions{/*width=*/8, /*layers=*/5, /*heads=*/2, false, true, /*max_drop_path=*/0.2});
  EXPECT_DOUBLE_EQ(t->block(0)->drop_path(), 0.0);
  EXPECT_DOUBLE_EQ(t->block(2)->drop_path(), 0.1);
  EXPECT_DOUBLE_EQ(t->block(4)->drop_path(), 0.2);
}

TEST(DropPath, BlocksAreStochasticOnlyWhileTraining) {
  at::manual_seed(5);
  Transformer t(TransformerOptions{8, 3, 2, false, true, /*max_drop_path=*/0.5});
  at::Tensor x = at::randn({16, 4, 8});
  t->train();
  EXPECT_FALSE(t->forward(x).equal(t->forward(x)));
  t->eval();
  EXPECT_TRUE(t->forward(x).equal(t->forward(x)));
}

}  // namespace
}  // namespace zegclip::clip
