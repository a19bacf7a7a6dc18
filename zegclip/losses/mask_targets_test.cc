#include "zegclip/losses/mask_targets.h"

#include <gtest/gtest.h>

namespace zegclip::losses {
namespace {

TEST(MaskTargets, OneHotWithZeroTargetsAtIgnoredPixels) {
  at::Tensor labels = at::tensor({2, 255, 0, 2}, at::kLong).view({1, 2, 2});
  MaskTargets t = MakeMaskTargets(labels, 4, at::kFloat);
  ASSERT_EQ(t.one_hot.sizes(), (std::vector<int64_t>{1, 4, 2, 2}));
  at::Tensor expected = at::tensor({0, 0, 1, 0,    // class 0
                                    0, 0, 0, 0,    // class 1
                                    1, 0, 0, 1,    // class 2
                                    0, 0, 0, 0},   // class 3
                                   at::kFloat)
                            .view({1, 4, 2, 2});
  EXPECT_TRUE(at::equal(t.one_hot, expected));
  EXPECT_TRUE(at::equal(t.valid.to(at::kLong), at::tensor({1, 0, 1, 1}, at::kLong).view({1, 2, 2})));
  EXPECT_TRUE(at::equal(t.present.to(at::kLong), at::tensor({1, 0, 1, 0}, at::kLong).view({1, 4})));
  EXPECT_EQ(t.num_present, 2);
}

TEST(MaskTargets, RejectsLabelsOutsideTheTrainedClasses) {
  EXPECT_THROW(MakeMaskTargets(at::tensor({0, 4}, at::kLong).view({1, 1, 2}), 4, at::kFloat), c10::Error);
  EXPECT_THROW(MakeMaskTargets(at::tensor({0, -1}, at::kLong).view({1, 1, 2}), 4, at::kFloat), c10::Error);
  EXPECT_THROW(MakeMaskTargets(at::zeros({1, 1, 2}, at::kInt), 4, at::kFloat), c10::Error);
}

}  // namespace
}  // namespace zegclip::losses
