#include "zegclip/distributed/gradient_bucketer.h"

#include <vector>

#include <gtest/gtest.h>

namespace zegclip::distributed {
namespace {

// A communicator that simulates `size` ranks in one process: this process is rank 0, and rank r holds (r + 1) times
// rank 0's tensor, so AllReduceSum multiplies by n(n+1)/2 (or by n with `identical_ranks`). Broadcast writes `root_value`.
class FakeCommunicator : public Communicator {
 public:
  FakeCommunicator(int size, bool identical_ranks) : size_(size), identical_ranks_(identical_ranks) {}
  int rank() const override { return 0; }
  int size() const override { return size_; }
  int local_rank() const override { return 0; }
  std::string backend() const override { return "fake"; }
  at::Device device() const override { return at::kCPU; }
  void AllReduceSum(at::Tensor& t) override {
    CheckCollectiveInput(t, "AllReduceSum");
    allreduce_numels.push_back(t.numel());
    t.mul_(identical_ranks_ ? size_ : size_ * (size_ + 1) / 2);
  }
  void Broadcast(at::Tensor& t, int root) override {
    CheckCollectiveInput(t, "Broadcast");
    ++broadcasts;
    t.fill_(root_value);
  }
  void Barrier() override {}
  [[noreturn]] void Abort(const std::string& why) override { throw std::runtime_error(why); }

  std::vector<int64_t> allreduce_numels;
  int broadcasts = 0;
  double root_value = 42;

 private:
  int size_;
  bool identical_ranks_;
};

std::vector<at::Tensor> FloatTensors(const std::vector<int64_t>& numels) {
  std::vector<at::Tensor> out;
  for (int64_t n : numels) out.push_back(at::zeros({n}));
  return out;
}

TEST(AssignBuckets, ReverseOrderFirstBucketSmallThenLarge) {
  // Bytes 400, 800, 1200, 1600; first limit 1000, then 2000.
  const std::vector<Bucket> buckets = AssignBuckets(FloatTensors({100, 200, 300, 400}), {1000, 2000});
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[0].indices, (std::vector<int>{3}));  // 1600 >= 1000: closes at once
  EXPECT_EQ(buckets[1].indices, (std::vector<int>{2, 1}));  // 1200 + 800 = 2000 >= 2000
  EXPECT_EQ(buckets[1].offsets, (std::vector<int64_t>{0, 300}));
  EXPECT_EQ(buckets[1].numel, 500);
  EXPECT_EQ(buckets[2].indices, (std::vector<int>{0}));  // leftover
  EXPECT_EQ(buckets[2].numel, 100);
}

TEST(AssignBuckets, ExactBoundaryClosesTheBucket) {
  // 4 tensors of 256 floats = 1 KiB each; limits 2 KiB / 3 KiB -> {3,2}, {1,0}(2 KiB < 3 KiB: leftover).
  const std::vector<Bucket> b = AssignBuckets(FloatTensors({256, 256, 256, 256}), {2048, 3072});
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].indices, (std::vector<int>{3, 2}));
  EXPECT_EQ(b[1].indices, (std::vector<int>{1, 0}));
  // One byte less in the first limit changes nothing; one byte more pulls tensor 1 into the first bucket.
  EXPECT_EQ(AssignBuckets(FloatTensors({256, 256, 256, 256}), {2047, 3072})[0].indices, (std::vector<int>{3, 2}));
  EXPECT_EQ(AssignBuckets(FloatTensors({256, 256, 256, 256}), {2049, 3072})[0].indices,
            (std::vector<int>{3, 2, 1}));
}

TEST(AssignBuckets, ZeroLimitGivesOneTensorPerBucket) {
  const std::vector<Bucket> b = AssignBuckets(FloatTensors({3, 1, 2}), {0, 0});
  ASSERT_EQ(b.size(), 3u);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(b[k].indices, (std::vector<int>{2 - k}));
}

TEST(AssignBuckets, OneDtypePerBucket) {
  std::vector<at::Tensor> t = {at::zeros({10}), at::zeros({10}, at::kDouble), at::zeros({10}),
                               at::zeros({10}, at::kDouble)};
  const std::vector<Bucket> b = AssignBuckets(t, {1 << 20, 1 << 20});
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].dtype, at::kDouble);  // the last tensor opened the first bucket
  EXPECT_EQ(b[0].indices, (std::vector<int>{3, 1}));
  EXPECT_EQ(b[1].dtype, at::kFloat);
  EXPECT_EQ(b[1].indices, (std::vector<int>{2, 0}));
}

TEST(AssignBuckets, DdpDefaultsOnAVitLikeList) {
  // 12 blocks of (768x2304 qkv, 2304 bias) float32: 7,087,104 + 9,216 bytes each.
  std::vector<int64_t> numels;
  for (int i = 0; i < 12; ++i) {
    numels.push_back(768 * 2304);
    numels.push_back(2304);
  }
  const std::vector<Bucket> b = AssignBuckets(FloatTensors(numels), BucketOptions{});
  // First bucket: the last bias (9 KiB) then the last matrix (6.8 MiB) crosses 1 MiB.
  EXPECT_EQ(b[0].indices, (std::vector<int>{23, 22}));
  // Then 25 MiB buckets: four (matrix, bias) pairs = 28.4 MB crosses 26,214,400 bytes at the 4th matrix.
  EXPECT_EQ(b[1].indices, (std::vector<int>{21, 20, 19, 18, 17, 16, 15, 14}));
  int64_t total = 0;
  for (const Bucket& bucket : b) total += bucket.numel;
  EXPECT_EQ(total, 12 * (768 * 2304 + 2304));
}

std::vector<at::Tensor> MakeParams() {
  std::vector<at::Tensor> p = {at::randn({4, 3}), at::randn({5}, at::kDouble), at::randn({7}), at::randn({2, 2}),
                               at::randn({})};
  for (size_t i = 0; i < p.size(); ++i) p[i].set_requires_grad(i != 2);  // param 2 is frozen
  return p;
}

TEST(GradientBucketer, PackingRoundTripsBitExactly) {
  std::vector<at::Tensor> params = MakeParams();
  FakeCommunicator comm(4, /*identical_ranks=*/true);  // sum = 4 g, mean = g exactly
  GradientBucketer bucketer(params, &comm, {16, 24});
  std::vector<at::Tensor> expected;
  for (at::Tensor& p : params) {
    if (!p.requires_grad()) continue;
    p.mutable_grad() = at::randn_like(p) * 1e-3;
    expected.push_back(p.grad().clone());
  }
  params[3].mutable_grad() = at::randn({2, 2}).t();  // a non-contiguous gradient
  expected[2] = params[3].grad().clone();
  bucketer.AllReduceGradients();
  ASSERT_EQ(bucketer.trainable().size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(at::equal(bucketer.trainable()[i].grad(), expected[i])) << i;
  EXPECT_FALSE(params[2].grad().defined());
  // One allreduce per bucket, of the bucket's size.
  ASSERT_EQ(comm.allreduce_numels.size(), bucketer.buckets().size());
  for (size_t b = 0; b < bucketer.buckets().size(); ++b) {
    EXPECT_EQ(comm.allreduce_numels[b], bucketer.buckets()[b].numel);
  }
}

TEST(GradientBucketer, AveragesOverRanksAndZeroFillsUnusedParameters) {
  std::vector<at::Tensor> params = MakeParams();
  FakeCommunicator comm(4, /*identical_ranks=*/false);  // rank r holds (r+1) g: mean = 2.5 g
  GradientBucketer bucketer(params, &comm, {1 << 20, 1 << 20});
  params[0].mutable_grad() = at::full({4, 3}, 2.0);
  params[1].mutable_grad() = at::full({5}, -4.0, at::kDouble);
  params[4].mutable_grad() = at::full({}, 0.5);
  bucketer.AllReduceGradients();  // params[3] has no gradient
  EXPECT_TRUE(at::equal(params[0].grad(), at::full({4, 3}, 5.0)));
  EXPECT_TRUE(at::equal(params[1].grad(), at::full({5}, -10.0, at::kDouble)));
  EXPECT_TRUE(at::equal(params[3].grad(), at::zeros({2, 2})));
  EXPECT_TRUE(at::equal(params[4].grad(), at::full({}, 1.25)));
  EXPECT_EQ(bucketer.buckets().size(), 2u);  // float32 and float64
}

TEST(GradientBucketer, BroadcastCoversFrozenAndNonContiguousParameters) {
  std::vector<at::Tensor> params = MakeParams();
  at::Tensor strided = at::randn({3, 2}).t();
  strided.set_requires_grad(true);
  params.push_back(strided);
  FakeCommunicator comm(2, true);
  GradientBucketer bucketer(params, &comm);
  bucketer.BroadcastParameters();
  EXPECT_EQ(comm.broadcasts, 6);
  for (const at::Tensor& p : params) EXPECT_TRUE(at::equal(p, at::full_like(p, 42))) << p.sizes();
}

TEST(GradientBucketer, OneRankOnlyZeroFillsWithoutCommunicating) {
  std::vector<at::Tensor> params = MakeParams();
  FakeCommunicator comm(1, true);
  GradientBucketer bucketer(params, &comm);
  params[0].mutable_grad() = at::ones({4, 3});
  bucketer.AllReduceGradients();
  EXPECT_TRUE(comm.allreduce_numels.empty());
  EXPECT_TRUE(at::equal(params[0].grad(), at::ones({4, 3})));
  EXPECT_TRUE(at::equal(params[1].grad(), at::zeros({5}, at::kDouble)));
}

}  // namespace
}  // namespace zegclip::distributed
