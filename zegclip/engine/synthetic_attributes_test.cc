#include "zegclip/engine/synthetic_attributes.h"

#include <gtest/gtest.h>

#include <cmath>

namespace zegclip::engine {
namespace {

TEST(SyntheticAttributes, SharesOfRightColourAndPatternOnUnseenRows) {
  // Class id = colour * 6 + pattern. Unseen class 7 (colour 1, pattern 1): 2 predicted as 7, 1 as 8 (colour right),
  // 1 as 13 (pattern right), 1 as 0 (neither).
  at::Tensor targets = at::tensor({7, 7, 7, 7, 7, 0}, at::kLong);
  at::Tensor predictions = at::tensor({7, 7, 8, 13, 0, 0}, at::kLong);
  at::Tensor counts = PairCounts(targets, predictions, 36);
  EXPECT_EQ(counts.sum().item<int64_t>(), 6);
  EXPECT_EQ(counts[7][7].item<int64_t>(), 2);
  auto [colour, pattern] = UnseenAttributeShares(counts, {7});
  EXPECT_DOUBLE_EQ(colour, 60.0);
  EXPECT_DOUBLE_EQ(pattern, 60.0);
  auto [none_c, none_p] = UnseenAttributeShares(counts, {20});
  EXPECT_TRUE(std::isnan(none_c) && std::isnan(none_p));
}

}  // namespace
}  // namespace zegclip::engine
