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

TEST(ZeroShotSetting, SeenOffsetCalibratesSeenClassesExceptInTheTransductiveSetting) {
  EXPECT_EQ(CalibratedClasses(FourClasses(Setting::kInductive)), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(CalibratedClasses(FourClasses(Setting::kFullySupervised)), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_TRUE(CalibratedClasses(FourClasses(Setting::kTransductive)).empty());
}

TEST(ZeroShotSetting, InductiveRemappingIsTheAuthorsVisibilityMask) {
  // Their _visiable_mask: table[255] = 255, table[seen[i]] = i, every other value -1, which forward_train then turns
  // into 255. A non-contiguous seen set (as COCO-Stuff's) over 10 classes.
  ZeroShotSplit split{10, {0, 2, 3, 7, 9}, {1, 4, 5, 6, 8}, Setting::kInductive};
  std::vector<int64_t> table(256, -1);
  table[255] = 255;
  for (size_t i = 0; i < split.seen.size(); ++i) table[static_cast<size_t>(split.seen[i])] = static_cast<int64_t>(i);
  for (int64_t& v : table) v = v == -1 ? 255 : v;
  const at::Tensor every_value = at::arange(256, at::kLong).view({1, 16, 16});
  const at::Tensor mapped = MapLabelsToTrained(every_value, split).flatten();
  for (int64_t v = 0; v < 256; ++v) EXPECT_EQ(mapped[v].item<int64_t>(), table[static_cast<size_t>(v)]) << v;
}

TEST(ZeroShotSetting, OutOfRangeLabelsAreRejected) {
  ZeroShotSplit split = FourClasses(Setting::kInductive);
  EXPECT_THROW(MapLabelsToTrained(at::tensor({300}, at::kLong), split), c10::Error);
}

}  // namespace
}  // namespace zegclip::model
