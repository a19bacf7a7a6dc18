#include "zegclip/train/lr_schedule.h"

#include <cmath>

#include <c10/util/Exception.h>
#include <gtest/gtest.h>

namespace zegclip::train {
namespace {

// The ZegCLIP VOC recipe: lr 2e-5, poly 0.9, min 1e-6, 20k iterations, linear warm-up 1500 from 1e-6.
LrSchedule Recipe(LrPolicy policy = LrPolicy::kPoly) {
  return LrSchedule({policy, /*max_iters=*/20000, /*power=*/0.9, /*min_lr=*/1e-6, /*warmup_iters=*/1500,
                     /*warmup_ratio=*/1e-6});
}

// Relative comparison: the values span 1e-11 .. 1e-4.
void ExpectRel(double actual, double expected) { EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-12); }

TEST(LrSchedule, PolyWithLinearWarmupMatchesMmcvByHand) {
  const LrSchedule s = Recipe();
  // iter 0: regular = 2e-5; k = 1 * (1 - 1e-6); lr = 2e-5 * 1e-6.
  ExpectRel(s.LrAt(0, 2e-5), 2e-5 * (1 - (1 - 1e-6)));
  EXPECT_NEAR(s.LrAt(0, 2e-5), 2e-11, 1e-20);
  // iter 750 (half-way through warm-up): k = 0.5 (1 - 1e-6).
  ExpectRel(s.LrAt(750, 2e-5), (1.9e-5 * std::pow(1 - 750 / 20000.0, 0.9) + 1e-6) * (0.5 + 0.5e-6));
  EXPECT_NEAR(s.LrAt(750, 2e-5), 9.678775074154642e-06, 1e-17);
  // iter 1500: warm-up over, the plain poly value 1.9e-5 * 0.925^0.9 + 1e-6.
  EXPECT_NEAR(s.LrAt(1500, 2e-5), 1.8712552904250494e-05, 1e-17);
  EXPECT_DOUBLE_EQ(s.WarmupFactor(1500), 1.0);
  // iter 1499: one step before, still (slightly) scaled: factor 1 - (1/1500)(1 - 1e-6).
  ExpectRel(s.LrAt(1499, 2e-5), s.RegularLrAt(1499, 2e-5) * (1 - (1 / 1500.0) * (1 - 1e-6)));
  // Middle: 1.9e-5 * 0.5^0.9 + 1e-6.
  EXPECT_NEAR(s.LrAt(10000, 2e-5), 1.9e-5 * 0.5358867312681466 + 1e-6, 1e-17);
  // Last step (iter 19999): 1.9e-5 * (1/20000)^0.9 + 1e-6, and the floor at max_iters.
  EXPECT_NEAR(s.LrAt(19999, 2e-5), 1.0025575645572869e-06, 1e-18);
  EXPECT_DOUBLE_EQ(s.LrAt(20000, 2e-5), 1e-6);
}

TEST(LrSchedule, MinLrIsAbsoluteLikeMmcv) {
  // A x10 group: (2e-4 - 1e-6) * 0.5^0.9 + 1e-6, not 10 x the base group's lr.
  const LrSchedule s = Recipe();
  EXPECT_NEAR(s.LrAt(10000, 2e-4), 1.99e-4 * 0.5358867312681466 + 1e-6, 1e-16);
  EXPECT_NE(s.LrAt(10000, 2e-4), 10 * s.LrAt(10000, 2e-5));
}

TEST(LrSchedule, CosineAnnealsToMinLr) {
  const LrSchedule s = Recipe(LrPolicy::kCosine);
  EXPECT_DOUBLE_EQ(s.RegularLrAt(0, 2e-5), 2e-5);
  EXPECT_NEAR(s.LrAt(10000, 2e-5), 1e-6 + 0.5 * 1.9e-5, 1e-18);   // cos(pi/2) = 0
  EXPECT_NEAR(s.LrAt(5000, 2e-5), 1e-6 + 0.5 * 1.9e-5 * (std::sqrt(0.5) + 1), 1e-17);  // cos(pi/4)
  EXPECT_NEAR(s.LrAt(20000, 2e-5), 1e-6, 1e-18);
  ExpectRel(s.LrAt(0, 2e-5), 2e-5 * (1 - (1 - 1e-6)));  // warm-up applies to every policy
}

TEST(LrSchedule, ConstantWithAndWithoutWarmup) {
  const LrSchedule warm = Recipe(LrPolicy::kConstant);
  EXPECT_DOUBLE_EQ(warm.LrAt(1500, 3e-4), 3e-4);
  EXPECT_DOUBLE_EQ(warm.LrAt(19999, 3e-4), 3e-4);
  EXPECT_NEAR(warm.LrAt(300, 3e-4), 3e-4 * (1 - 0.8 * (1 - 1e-6)), 1e-18);
  const LrSchedule flat({LrPolicy::kConstant, 100, 0.9, 0, /*warmup_iters=*/0, 1e-6});
  EXPECT_DOUBLE_EQ(flat.LrAt(0, 3e-4), 3e-4);
}

TEST(LrSchedule, InvalidOptionsNameTheField) {
  LrScheduleOptions o;
  o.max_iters = 0;
  EXPECT_EQ(ValidateLrScheduleOptions(o).message(), "lr schedule: max_iters must be > 0 (got 0)");
  o = LrScheduleOptions{};
  o.warmup_iters = 10;
  o.warmup_ratio = 0;
  EXPECT_EQ(ValidateLrScheduleOptions(o).message(), "lr schedule: warmup_ratio must be in (0, 1] (got 0)");
  EXPECT_THROW(LrSchedule{o}, c10::Error);
  EXPECT_TRUE(ValidateLrScheduleOptions(LrScheduleOptions{}).ok());
}

}  // namespace
}  // namespace zegclip::train
