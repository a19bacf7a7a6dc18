#include "data/distributed_sampler.h"

#include <algorithm>
#include <set>

#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

std::vector<std::vector<int64_t>> Shards(int64_t n, int64_t world, bool drop_last, int64_t epoch, bool shuffle = true) {
  std::vector<std::vector<int64_t>> shards;
  for (int64_t r = 0; r < world; ++r) {
    auto s = DistributedSampler::Create(n, {/*seed=*/11, shuffle, r, world, drop_last});
    EXPECT_TRUE(s.ok());
    shards.push_back(s->EpochIndices(epoch));
  }
  return shards;
}

TEST(DistributedSampler, PaddedShardsCoverEverythingWithEqualLengths) {
  const auto shards = Shards(10, 3, /*drop_last=*/false, 0);
  std::multiset<int64_t> all;
  for (const auto& s : shards) {
    EXPECT_EQ(s.size(), 4u);  // ceil(10 / 3)
    all.insert(s.begin(), s.end());
  }
  for (int64_t i = 0; i < 10; ++i) EXPECT_GE(all.count(i), 1u) << i;
  EXPECT_EQ(all.size(), 12u);  // two repeats
}

TEST(DistributedSampler, DropLastShardsAreDisjoint) {
  const auto shards = Shards(10, 3, /*drop_last=*/true, 0);
  std::set<int64_t> all;
  for (const auto& s : shards) {
    EXPECT_EQ(s.size(), 3u);  // floor(10 / 3)
    all.insert(s.begin(), s.end());
  }
  EXPECT_EQ(all.size(), 9u);
}

TEST(DistributedSampler, ShardsAreStridesOfOneSharedOrder) {
  auto sampler = DistributedSampler::Create(12, {11, true, 0, 4, false});
  ASSERT_TRUE(sampler.ok());
  const std::vector<int64_t> order = sampler->EpochOrder(5);
  const auto shards = Shards(12, 4, false, 5);
  for (int64_t r = 0; r < 4; ++r) {
    for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(shards[r][i], order[i * 4 + r]);
  }
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 12; ++i) EXPECT_EQ(sorted[i], i);
}

TEST(DistributedSampler, EpochsReshuffleAndUnshuffledIsInOrder) {
  EXPECT_NE(Shards(100, 1, false, 0)[0], Shards(100, 1, false, 1)[0]);
  EXPECT_EQ(Shards(100, 1, false, 3)[0], Shards(100, 1, false, 3)[0]);
  EXPECT_EQ(Shards(5, 2, false, 0, /*shuffle=*/false)[1], (std::vector<int64_t>{1, 3, 0}));
  EXPECT_EQ(Shards(5, 2, false, 0, /*shuffle=*/false)[0], (std::vector<int64_t>{0, 2, 4}));
}

TEST(DistributedSampler, TinyDatasetsPadByRepeatingAndBadRanksFail) {
  const auto shards = Shards(2, 5, false, 0, false);
  for (int64_t r = 0; r < 5; ++r) EXPECT_EQ(shards[r], (std::vector<int64_t>{r % 2}));
  EXPECT_FALSE(DistributedSampler::Create(10, {0, true, 3, 3, false}).ok());
  EXPECT_FALSE(DistributedSampler::Create(10, {0, true, 0, 0, false}).ok());
}

}  // namespace
}  // namespace zegclip::data
