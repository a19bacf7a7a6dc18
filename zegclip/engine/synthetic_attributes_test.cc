#include "zegclip/engine/synthetic_attributes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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
  std::vector<int64_t> base(36);
  for (int64_t k = 0; k < 36; ++k) base[k] = k;
  auto [colour, pattern] = UnseenAttributeShares(counts, {7}, base);
  EXPECT_DOUBLE_EQ(colour, 60.0);
  EXPECT_DOUBLE_EQ(pattern, 60.0);
  auto [none_c, none_p] = UnseenAttributeShares(counts, {20}, base);
  EXPECT_TRUE(std::isnan(none_c) && std::isnan(none_p));
}

TEST(SyntheticAttributes, LabelsOfAWorldWithExtraAttributesAreReadThroughItsCompositions) {
  // Labels 0..3 paint cyan gridded (54), cyan plain (48), red gridded (36), pink zigzag (63).
  const std::vector<int64_t> compositions = {54, 48, 36, 63};
  // Unseen label 0 (cyan gridded): once right, once cyan plain (colour), twice red gridded (pattern), once pink
  // zigzag (neither).
  at::Tensor counts = PairCounts(at::tensor({0, 0, 0, 0, 0}, at::kLong), at::tensor({0, 1, 2, 2, 3}, at::kLong), 4);
  auto [colour, pattern] = UnseenAttributeShares(counts, {0}, compositions);
  EXPECT_DOUBLE_EQ(colour, 40.0);
  EXPECT_DOUBLE_EQ(pattern, 60.0);
}

}  // namespace
}  // namespace zegclip::engine
