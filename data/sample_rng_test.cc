#include "data/sample_rng.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

TEST(SampleRng, SameKeysSameStreamDifferentKeysDifferentStream) {
  SampleRng a(1, 2, 3), b(1, 2, 3), swapped(2, 1, 3), other(1, 2, 4);
  const uint64_t first = a.NextU64();
  EXPECT_EQ(first, b.NextU64());
  EXPECT_NE(first, swapped.NextU64());
  EXPECT_NE(first, other.NextU64());
  EXPECT_NE(HashString("train"), HashString("val"));
  EXPECT_EQ(HashString("train"), HashString(std::string("tra") + "in"));
}

TEST(SampleRng, UniformIntCoversInclusiveRangeEvenly) {
  SampleRng rng(42);
  std::vector<int> counts(7, 0);
  const int draws = 70000;
  for (int i = 0; i < draws; ++i) {
    const int64_t v = rng.UniformInt(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
    ++counts[v + 3];
  }
  // Binomial sd = sqrt(70000 * 1/7 * 6/7) ~ 93; 5 sd.
  for (int c : counts) EXPECT_NEAR(c, draws / 7, 465);
  EXPECT_EQ(rng.UniformInt(5, 5), 5);
}

TEST(SampleRng, UniformRealHasTheRightMoments) {
  SampleRng rng(9);
  double sum = 0, sum_sq = 0, lo = 1e9, hi = -1e9;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double v = rng.Uniform(0.5, 2.0);
    sum += v, sum_sq += v * v, lo = std::min(lo, v), hi = std::max(hi, v);
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  EXPECT_NEAR(mean, 1.25, 0.01);
  EXPECT_NEAR(var, 1.5 * 1.5 / 12, 0.005);
  EXPECT_GE(lo, 0.5);
  EXPECT_LT(hi, 2.0);
  int heads = 0;
  for (int i = 0; i < n; ++i) heads += rng.Bernoulli(0.3);
  EXPECT_NEAR(heads, 0.3 * n, 5 * std::sqrt(n * 0.21));
}

TEST(SampleRng, RandomPermutationIsAPermutationAndVaries) {
  SampleRng rng(3);
  const std::vector<int64_t> p = RandomPermutation(100, rng);
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_NE(p, RandomPermutation(100, rng));
  // Position of element 0 over many shuffles of 4 is uniform.
  std::vector<int> where(4, 0);
  for (int i = 0; i < 40000; ++i) {
    const auto q = RandomPermutation(4, rng);
    ++where[std::find(q.begin(), q.end(), 0) - q.begin()];
  }
  for (int w : where) EXPECT_NEAR(w, 10000, 450);
  EXPECT_TRUE(RandomPermutation(0, rng).empty());
}

}  // namespace
}  // namespace zegclip::data
