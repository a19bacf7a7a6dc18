#include "zegclip/model/zero_shot_setting.h"

#include <gtest/gtest.h>

namespace zegclip::model {
namespace {

ZeroShotSplit FourClasses(Setting setting) { return {4, {0, 2}, {1, 3}, setting}; }

TEST(ZeroShotSetting, InductiveQueriesSeenAndIgnoresUnseenPixels) {
  ZeroShotSplit split = FourClasses(Setting::kInductive);
  EXPECT_TRUE(TrainedClasses(split).equal(at::tensor({0, 2}, at::kLong)));
  at::Tensor labels = at::tensor({0, 1, 2, 3, 255}, at::kLong).view({1, 1, 5});
  at::Tensor mapped = MapLabelsToTrained(labels, split);
  EXPECT_TRUE(mapped.equal(at::tensor({0, 255, 1, 255, 255}, at::kLong).view({1, 1, 5})));
}

TEST(ZeroShotSetting, TransductiveAndFullyQueryEveryClass) {
  for (Setting s : {Setting::kTransductive, Setting::kFullySupervised}) {
    ZeroShotSplit split = FourClasses(s);
    at::Tensor labels = at::tensor({3, 1, 255}, at::kLong).view({1, 1, 3});
    EXPECT_TRUE(MapLabelsToTrained(labels, split).equal(labels));
    EXPECT_EQ(TrainedClasses(split).numel(), 4);
  }
}

TEST(ZeroShotSetting, PseudoLabelsPickTheBestUnseenClassOnlyOnUnseenPixels) {
  ZeroShotSplit split = FourClasses(Setting::kTransductive);
  // Pixel 0 is seen (kept), pixel 1 unseen: seen class 0 scores highest but only unseen 1/3 compete → 3.
  at::Tensor labels = at::tensor({2, 1, 255}, at::kLong).view({1, 1, 3});
  at::Tensor scores = at::zeros({1, 4, 1, 3});
  scores.index_put_({0, 0, 0, 1}, 0.9);
  scores.index_put_({0, 1, 0, 1}, 0.2);
  scores.index_put_({0, 3, 0, 1}, 0.6);
  at::Tensor pseudo = PseudoLabelUnseen(labels, scores, split);
  EXPECT_TRUE(pseudo.equal(at::tensor({2, 3, 255}, at::kLong).view({1, 1, 3})));
}

TEST(ZeroShotSetting, SeenOffsetShiftsCloseCallsToUnseenInInductiveOnly) {
  at::Tensor scores = at::tensor({0.60, 0.55, 0.1, 0.1}).view({1, 4, 1, 1});
  EXPECT_EQ(CalibratedArgmax(scores, FourClasses(Setting::kInductive), 0.1).item<int64_t>(), 1);
  EXPECT_EQ(CalibratedArgmax(scores, FourClasses(Setting::kInductive), 0.0).item<int64_t>(), 0);
  EXPECT_EQ(CalibratedArgmax(scores, FourClasses(Setting::kFullySupervised), 0.1).item<int64_t>(), 0);
}

TEST(ZeroShotSetting, OutOfRangeLabelsAreRejected) {
  ZeroShotSplit split = FourClasses(Setting::kInductive);
  EXPECT_THROW(MapLabelsToTrained(at::tensor({300}, at::kLong), split), c10::Error);
}

}  // namespace
}  // namespace zegclip::model
