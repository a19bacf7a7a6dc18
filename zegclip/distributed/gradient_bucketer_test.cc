#include "zegclip/distributed/gradient_bucketer.h"

#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/variable.h>

namespace zegclip::distributed {
namespace {

// A communicator that simulates `size` ranks in one process: this process is rank 0, and rank r holds (r + 1) times
// rank 0's tensor, so AllReduceSum multiplies by n(n+1)/2 (or by n with `identical_ranks`). The sum lands in the
// tensor only when the work is waited for, so code that reads a bucket before Wait() sees the wrong numbers.
// Broadcast leaves tensors as they are (every simulated rank agrees), or writes `root_value` with fill_broadcasts.
class FakeCommunicator : public Communicator {
 public:
  FakeCommunicator(int size, bool identical_ranks) : size_(size), identical_ranks_(identical_ranks) {}
  int rank() const override { return 0; }
  int size() const override { return size_; }
  int local_rank() const override { return 0; }
  std::string backend() const override { return "fake"; }
  at::Device device() const override { return at::kCPU; }
  std::unique_ptr<CollectiveWork> StartAllReduceSum(const at::Tensor& t) override {
    CheckCollectiveInput(t, "AllReduceSum");
    allreduce_numels.push_back(t.numel());
    started_during_backward.push_back(in_backward);
    return std::make_unique<DeferredSum>(t, identical_ranks_ ? size_ : size_ * (size_ + 1) / 2);
  }
  void Broadcast(at::Tensor& t, int root) override {
    CheckCollectiveInput(t, "Broadcast");
    ++broadcasts;
    if (fill_broadcasts) t.fill_(root_value);
  }
  void Barrier() override {}
  [[noreturn]] void Abort(const std::string& why) override { throw std::runtime_error(why); }

  std::vector<int64_t> allreduce_numels;
  std::vector<bool> started_during_backward;  // per allreduce: was `in_backward` set when it started
  bool in_backward = false;
  int broadcasts = 0;
  double root_value = 42;
  bool fill_broadcasts = false;

 private:
  class DeferredSum : public CollectiveWork {
   public:
    DeferredSum(at::Tensor t, double factor) : t_(std::move(t)), factor_(factor) {}
    void Wait() override { t_.mul_(factor_); }

   private:
    at::Tensor t_;
    double factor_;
  };

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
  comm.fill_broadcasts = true;
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

TEST(AssignBucketsInOrder, FollowsTheGivenOrderAndMapsIndicesBack) {
  // Tensors of 400, 800, 1200 and 1600 bytes arriving in the order 1, 3, 0, 2.
  const std::vector<at::Tensor> t = FloatTensors({100, 200, 300, 400});
  const std::vector<Bucket> b = AssignBucketsInOrder(t, {1, 3, 0, 2}, {1000, 2000});
  // Walk: 1 (800 B), 3 (+1600 = 2400 >= 1000: closes), 0 (400), 2 (+1200 = 1600 < 2000): leftover.
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].indices, (std::vector<int>{1, 3}));
  EXPECT_EQ(b[0].offsets, (std::vector<int64_t>{0, 200}));
  EXPECT_EQ(b[1].indices, (std::vector<int>{0, 2}));
  // The identity's reverse is AssignBuckets' own walk.
  const std::vector<Bucket> same = AssignBucketsInOrder(t, {3, 2, 1, 0}, {1000, 2000});
  const std::vector<Bucket> ddp = AssignBuckets(t, {1000, 2000});
  ASSERT_EQ(same.size(), ddp.size());
  for (size_t k = 0; k < ddp.size(); ++k) EXPECT_EQ(same[k].indices, ddp[k].indices);
  EXPECT_THROW(AssignBucketsInOrder(t, {1, 1, 0, 2}, {}), c10::Error);
  EXPECT_THROW(AssignBucketsInOrder(t, {1, 0}, {}), c10::Error);
}

// A tiny "model": y = sum(((x * p[u0]) * p[u1]) * p[u2] ...) over the parameters named in `use`, in that order, so
// backward produces their gradients in the reverse of `use`.
struct Chain {
  std::vector<at::Tensor> params;
  explicit Chain(int n) {
    for (int i = 0; i < n; ++i) params.push_back((at::arange(6, at::kFloat) * 0.1 + 1 + i).requires_grad_(true));
  }
  at::Tensor Loss(const std::vector<int>& use, double scale = 1.0) const {
    at::Tensor y = at::linspace(-1, 1, 6) * scale;
    for (int i : use) y = y * params[i];
    return y.pow(2).sum();
  }
  // The gradients one plain backward gives (no bucketer), for comparison.
  std::vector<at::Tensor> PlainGrads(const std::vector<int>& use) const {
    std::vector<at::Tensor> leaves;
    for (const at::Tensor& p : params) leaves.push_back(p.detach().clone().requires_grad_(true));
    Chain copy(0);
    copy.params = leaves;
    copy.Loss(use).backward();
    std::vector<at::Tensor> grads;
    for (const at::Tensor& p : leaves) grads.push_back(p.grad().defined() ? p.grad() : at::zeros_like(p));
    return grads;
  }
};

// One bucketed step the way the trainer runs it.
void Step(GradientBucketer& bucketer, FakeCommunicator& comm, const Chain& chain, const std::vector<int>& use) {
  bucketer.ZeroGrad();
  comm.in_backward = true;
  chain.Loss(use).backward();
  comm.in_backward = false;
  bucketer.AllReduceGradients();
}

TEST(GradientBucketerOverlap, BucketsStartDuringBackwardAndAverageExactly) {
  Chain chain(4);
  FakeCommunicator comm(2, /*identical_ranks=*/true);  // sum of two halves: the mean is g exactly
  GradientBucketer bucketer(chain.params, &comm, {0, 0});  // one tensor per bucket
  ASSERT_TRUE(bucketer.overlap());
  const std::vector<int> use = {0, 1, 2, 3};
  Step(bucketer, comm, chain, use);
  ASSERT_EQ(comm.started_during_backward.size(), 4u);
  for (bool during : comm.started_during_backward) EXPECT_TRUE(during);
  EXPECT_EQ(bucketer.last_started_in_backward(), 4);
  const std::vector<at::Tensor> plain = chain.PlainGrads(use);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(at::equal(chain.params[i].grad(), plain[i])) << i;
}

TEST(GradientBucketerOverlap, GradientsAreViewsIntoTheBuckets) {
  Chain chain(3);
  FakeCommunicator comm(2, true);
  GradientBucketer bucketer(chain.params, &comm, {1 << 20, 1 << 20});  // all in one bucket
  ASSERT_EQ(bucketer.buckets().size(), 1u);
  Step(bucketer, comm, chain, {0, 1, 2});
  // Consecutive slots of one buffer, in the bucket's fill order: nothing was copied back.
  const Bucket& b = bucketer.buckets()[0];
  const float* base = chain.params[b.indices[0]].grad().data_ptr<float>();
  for (size_t k = 0; k < b.indices.size(); ++k) {
    EXPECT_EQ(chain.params[b.indices[k]].grad().data_ptr<float>(), base + b.offsets[k]) << k;
  }
  // ZeroGrad zeroes them in place.
  bucketer.ZeroGrad();
  for (const at::Tensor& p : chain.params) EXPECT_EQ(p.grad().abs().sum().item<float>(), 0.0f);
}

TEST(GradientBucketerOverlap, MatchesTheNonOverlappedPathBitForBit) {
  Chain a(5), b(5);
  FakeCommunicator comm_a(3, /*identical_ranks=*/false), comm_b(3, false);  // mean = 2 g: not exact in general
  BucketOptions overlap{16, 48, /*overlap=*/true}, blocking{16, 48, /*overlap=*/false};
  GradientBucketer with(a.params, &comm_a, overlap), without(b.params, &comm_b, blocking);
  EXPECT_FALSE(without.overlap());
  const std::vector<int> use = {3, 0, 4, 1, 2};
  for (int step = 0; step < 3; ++step) {
    Step(with, comm_a, a, use);
    Step(without, comm_b, b, use);
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(at::equal(a.params[i].grad(), b.params[i].grad())) << step << " " << i;
  }
  EXPECT_EQ(without.last_started_in_backward(), 0);
  EXPECT_GT(with.last_started_in_backward(), 0);
  for (bool during : comm_b.started_during_backward) EXPECT_FALSE(during);
}

TEST(GradientBucketerOverlap, AnUnusedParameterStillCompletesItsBucketWithZeros) {
  Chain chain(4);
  FakeCommunicator comm(2, true);
  GradientBucketer bucketer(chain.params, &comm, {0, 0});
  // Parameter 3 (the first bucket: reverse registration order) takes no part in this step.
  Step(bucketer, comm, chain, {0, 1, 2});
  EXPECT_TRUE(at::equal(chain.params[3].grad(), at::zeros({6})));
  // Bucket 0 waited for it, and the buckets after it wait for bucket 0 (index order on every rank): all four started
  // after backward.
  EXPECT_EQ(bucketer.last_started_in_backward(), 0);
  EXPECT_EQ(comm.allreduce_numels.size(), 4u);
  const std::vector<at::Tensor> plain = chain.PlainGrads({0, 1, 2});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(at::equal(chain.params[i].grad(), plain[i])) << i;
  // The next step uses it again: an ordinary step.
  Step(bucketer, comm, chain, {0, 1, 2, 3});
  EXPECT_GT(chain.params[3].grad().abs().sum().item<float>(), 0.0f);
}

TEST(GradientBucketerOverlap, BucketsAreRebuiltOnceInTheOrderGradientsArrived) {
  Chain chain(3);
  FakeCommunicator comm(2, true);
  GradientBucketer bucketer(chain.params, &comm, {0, 0});
  ASSERT_EQ(bucketer.buckets()[0].indices, std::vector<int>{2});  // DDP's guess: reverse registration order
  // Used as ((x * p2) * p0) * p1: backward produces p1's gradient first, then p0's, then p2's.
  const std::vector<int> use = {2, 0, 1};
  Step(bucketer, comm, chain, use);
  EXPECT_EQ(comm.broadcasts, 0);
  bucketer.ZeroGrad();  // the rebuild: one broadcast of rank 0's order
  EXPECT_EQ(comm.broadcasts, 1);
  ASSERT_EQ(bucketer.buckets().size(), 3u);
  EXPECT_EQ(bucketer.buckets()[0].indices, std::vector<int>{1});
  EXPECT_EQ(bucketer.buckets()[1].indices, std::vector<int>{0});
  EXPECT_EQ(bucketer.buckets()[2].indices, std::vector<int>{2});
  // Later steps reuse it (no more broadcasts) and stay exact.
  Step(bucketer, comm, chain, use);
  Step(bucketer, comm, chain, use);
  EXPECT_EQ(comm.broadcasts, 1);
  const std::vector<at::Tensor> plain = chain.PlainGrads(use);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(at::equal(chain.params[i].grad(), plain[i])) << i;
}

TEST(GradientBucketerOverlap, AStepThatFailedMidBackwardLeavesNoTraceInTheRebuild) {
  Chain chain(3);
  FakeCommunicator comm(2, true);
  GradientBucketer bucketer(chain.params, &comm, {0, 0});
  // Backward fails after p1's gradient has landed (its bucket started), before p0's and p2's.
  bucketer.ZeroGrad();
  at::Tensor y = at::linspace(-1, 1, 6) * chain.params[2];
  y.register_hook([](const at::Tensor&) -> at::Tensor { throw std::runtime_error("a failing backward"); });
  y = y * chain.params[0] * chain.params[1];
  EXPECT_THROW(y.pow(2).sum().backward(), std::exception);
  // The next steps complete; the rebuild follows the first COMPLETED step's order (p1, p0, p2), each index once.
  const std::vector<int> use = {2, 0, 1};
  Step(bucketer, comm, chain, use);
  bucketer.ZeroGrad();
  ASSERT_EQ(bucketer.buckets().size(), 3u);
  EXPECT_EQ(bucketer.buckets()[0].indices, std::vector<int>{1});
  EXPECT_EQ(bucketer.buckets()[1].indices, std::vector<int>{0});
  EXPECT_EQ(bucketer.buckets()[2].indices, std::vector<int>{2});
  Step(bucketer, comm, chain, use);
  const std::vector<at::Tensor> plain = chain.PlainGrads(use);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(at::equal(chain.params[i].grad(), plain[i])) << i;
}

TEST(GradientBucketerOverlap, TwoBackwardPassesInOneStepAreAnError) {
  Chain chain(2);
  FakeCommunicator comm(2, true);
  GradientBucketer bucketer(chain.params, &comm, {0, 0});
  bucketer.ZeroGrad();
  chain.Loss({0, 1}).backward();
  try {
    chain.Loss({0, 1}).backward();
    FAIL() << "a second backward in one step must be refused";
  } catch (const c10::Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("received a second gradient in one step"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("distributed.overlap_allreduce: false"));
  }
}

TEST(GradientBucketerOverlap, BackwardOutsideAStepAndAfterTheBucketerAreLeftAlone) {
  Chain chain(2);
  FakeCommunicator comm(2, true);
  auto accumulator = torch::autograd::impl::grad_accumulator(chain.params[0]);
  {
    GradientBucketer bucketer(chain.params, &comm, {0, 0});
    EXPECT_EQ(accumulator->post_hooks().size(), 1u);
    chain.Loss({0, 1}).backward();  // not armed (no ZeroGrad): no allreduce
    EXPECT_TRUE(comm.allreduce_numels.empty());
  }
  EXPECT_EQ(accumulator->post_hooks().size(), 0u);  // the bucketer took its hooks with it
  chain.Loss({0, 1}).backward();
  EXPECT_TRUE(comm.allreduce_numels.empty());
}

TEST(GradientBucketerOverlap, OneRankHasNoHooksAndZeroGradSetsNone) {
  Chain chain(2);
  FakeCommunicator comm(1, true);
  GradientBucketer bucketer(chain.params, &comm);
  EXPECT_FALSE(bucketer.overlap());
  EXPECT_EQ(torch::autograd::impl::grad_accumulator(chain.params[0])->post_hooks().size(), 0u);
  chain.Loss({0, 1}).backward();
  bucketer.ZeroGrad();
  for (const at::Tensor& p : chain.params) EXPECT_FALSE(p.grad().defined());
}

}  // namespace
}  // namespace zegclip::distributed
