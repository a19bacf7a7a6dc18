// Multi-rank tests of the MPI backend and the gradient bucketer, run by `mpirun -np 2` (run_under_mpirun.sh). Every
// rank runs every test in the same order (the collectives must line up) and asserts on its own results; inputs
// depend on the rank so the expected sums and means are known in closed form for any world size (1 rank included).
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "zegclip/distributed/communicator_factory.h"
#include "zegclip/distributed/gradient_bucketer.h"
#include "zegclip/distributed/launcher_env.h"
#include "zegclip/distributed/mpi_communicator.h"

namespace zegclip::distributed {
namespace {

// One communicator for the whole binary; a generous timeout turns a test that desynchronises the ranks into an abort.
MpiCommunicator& Comm() {
  static MpiCommunicator* comm = new MpiCommunicator(/*timeout_seconds=*/60);
  return *comm;
}

TEST(MpiCommunicator, RanksMatchTheLauncher) {
  MpiCommunicator& comm = Comm();
  EXPECT_EQ(comm.size(), LauncherWorldSize());
  EXPECT_GE(comm.rank(), 0);
  EXPECT_LT(comm.rank(), comm.size());
  EXPECT_GE(comm.local_rank(), 0);
  EXPECT_LT(comm.local_rank(), comm.local_size());
  EXPECT_EQ(comm.backend(), "mpi");
  EXPECT_EQ(MpiCommunicator::ThreadLevel(), MPI_THREAD_MULTIPLE);
  // The rank numbers are a permutation: their sum is n(n-1)/2.
  const int n = comm.size();
  EXPECT_DOUBLE_EQ(comm.AllReduceSum(static_cast<double>(comm.rank())), n * (n - 1) / 2.0);
}

TEST(MpiCommunicator, AllReduceSumsEveryDtype) {
  MpiCommunicator& comm = Comm();
  const int n = comm.size();
  const double rank_sum = n * (n + 1) / 2.0;  // sum of (rank + 1)
  for (at::ScalarType dtype : {at::kFloat, at::kDouble, at::kInt, at::kBFloat16, at::kHalf}) {
    at::Tensor t = at::full({3, 5}, comm.rank() + 1.0, at::TensorOptions().dtype(dtype));
    comm.AllReduceSum(t);
    EXPECT_TRUE(at::equal(t, at::full({3, 5}, rank_sum, at::TensorOptions().dtype(dtype)))) << dtype;
  }
  // int64 beyond float precision: exact.
  const int64_t big = (int64_t{1} << 53) + 1;
  at::Tensor t = at::full({4}, big + comm.rank(), at::TensorOptions().dtype(at::kLong));
  comm.AllReduceSum(t);
  EXPECT_EQ(t[2].item<int64_t>(), big * n + n * (n - 1) / 2);
}

TEST(MpiCommunicator, BroadcastCopiesTheRootsTensor) {
  MpiCommunicator& comm = Comm();
  const int root = comm.size() - 1;
  at::Tensor t = at::arange(10, at::TensorOptions().dtype(at::kDouble)) + 100.0 * comm.rank();
  comm.Broadcast(t, root);
  EXPECT_TRUE(at::equal(t, at::arange(10, at::TensorOptions().dtype(at::kDouble)) + 100.0 * root));

  at::Tensor flags = at::full({3}, comm.rank() == 0, at::TensorOptions().dtype(at::kBool));
  comm.Broadcast(flags, 0);
  EXPECT_TRUE(flags.all().item<bool>());
  EXPECT_DOUBLE_EQ(comm.Broadcast(comm.rank() == 0 ? 2.5 : -1.0), 2.5);
}

TEST(MpiCommunicator, ScalarHelpersAndAllGather) {
  MpiCommunicator& comm = Comm();
  const int n = comm.size();
  EXPECT_DOUBLE_EQ(comm.AllReduceMean(static_cast<double>(comm.rank())), (n - 1) / 2.0);
  const std::vector<double> mean = comm.AllReduceMean(std::vector<double>{1.0 * comm.rank(), 4.0});
  ASSERT_EQ(mean.size(), 2u);
  EXPECT_DOUBLE_EQ(mean[0], (n - 1) / 2.0);
  EXPECT_DOUBLE_EQ(mean[1], 4.0);
  // Strings of different lengths (rank r sends r+1 copies of 'a'+r, including a NUL byte to check binary safety).
  const std::string mine = std::string(comm.rank() + 1, static_cast<char>('a' + comm.rank())) + '\0';
  const std::vector<std::string> all = comm.AllGather(mine);
  ASSERT_EQ(all.size(), static_cast<size_t>(n));
  for (int r = 0; r < n; ++r) EXPECT_EQ(all[r], std::string(r + 1, static_cast<char>('a' + r)) + '\0');
  comm.Barrier();
}

TEST(MpiCommunicator, FactoryPicksMpiForSeveralRanks) {
  absl::StatusOr<std::unique_ptr<Communicator>> comm = CreateCommunicator({Backend::kAuto, 60});
  ASSERT_TRUE(comm.ok()) << comm.status();
  EXPECT_EQ((*comm)->backend(), LauncherWorldSize() > 1 ? "mpi" : "single");
  EXPECT_EQ((*comm)->size(), LauncherWorldSize());
}

// A small model-like parameter list: two float32 matrices, a float64 vector, a frozen tensor, and one parameter that
// rank 0 leaves without a gradient (as if unused in its forward pass).
std::vector<at::Tensor> MakeParams(int rank) {
  const auto f32 = at::TensorOptions().dtype(at::kFloat);
  std::vector<at::Tensor> params = {
      (at::arange(12, f32) + 1000 * rank).view({3, 4}),
      at::full({5}, 7.0 + rank, at::TensorOptions().dtype(at::kDouble)),
      (at::arange(6, f32) - rank).view({2, 3}),
      at::full({4}, -1.0f * rank, f32),  // frozen
      at::full({2, 2}, 3.0f + rank, f32),
  };
  for (size_t i = 0; i < params.size(); ++i) params[i].set_requires_grad(i != 3);
  return params;
}

TEST(GradientBucketerMpi, BroadcastThenAverageGradients) {
  MpiCommunicator& comm = Comm();
  const int n = comm.size();
  const int r = comm.rank();
  std::vector<at::Tensor> params = MakeParams(r);
  // Tiny limits: several buckets and a float64 bucket of its own.
  GradientBucketer bucketer(params, &comm, BucketOptions{/*first_bucket_bytes=*/16, /*bucket_bytes=*/40});
  ASSERT_GE(bucketer.buckets().size(), 3u);
  bucketer.BroadcastParameters();
  const std::vector<at::Tensor> rank0 = MakeParams(0);
  for (size_t i = 0; i < params.size(); ++i) EXPECT_TRUE(at::equal(params[i], rank0[i])) << "param " << i;

  // Rank r's gradient is (r + 1) * base: the mean is base * (n + 1) / 2.
  for (size_t i = 0; i < params.size(); ++i) {
    if (i == 3 || (i == 4 && r == 0)) continue;
    params[i].mutable_grad() = at::ones_like(params[i]) * (i + 1.0) * (r + 1.0);
  }
  bucketer.AllReduceGradients();
  for (size_t i : {0, 1, 2}) {
    EXPECT_TRUE(at::allclose(params[i].grad(), at::ones_like(params[i]) * (i + 1.0) * (n + 1) / 2.0, 0, 0))
        << "param " << i;
  }
  // Rank 0 contributed zeros for param 4: mean = 5 * (sum over r >= 1 of (r + 1)) / n.
  const double expected4 = 5.0 * (n * (n + 1) / 2.0 - 1.0) / n;
  EXPECT_TRUE(at::allclose(params[4].grad(), at::full({2, 2}, expected4), 1e-6, 0)) << params[4].grad();
  EXPECT_FALSE(params[3].grad().defined());  // frozen: untouched
}

// Parameters used as y = x * p[use[0]] * p[use[1]] * ..., loss = sum(y^2): backward produces the gradients in the
// reverse of `use`. `x` depends on the rank, so the ranks' gradients differ.
struct Chain {
  std::vector<at::Tensor> params;
  explicit Chain(int n) {
    for (int i = 0; i < n; ++i) params.push_back((at::arange(64, at::kFloat) * 0.01 + 1 + i).requires_grad_(true));
  }
  // `mid_backward` (if set) runs when backward reaches the product after the first `mid_at` factors.
  at::Tensor Loss(int rank, const std::vector<int>& use, std::function<void()> mid_backward = nullptr,
                  size_t mid_at = 0) const {
    at::Tensor y = at::linspace(-1, 1, 64) * (rank + 1);
    for (size_t k = 0; k < use.size(); ++k) {
      y = y * params[use[k]];
      if (mid_backward && k + 1 == mid_at) {
        y.register_hook([mid_backward](const at::Tensor& g) {
          mid_backward();
          return g;
        });
      }
    }
    return y.pow(2).sum();
  }
};

// Rank r's plain gradients (one backward, no communication) for `use`, computed on any rank.
std::vector<at::Tensor> PlainGrads(const Chain& chain, int rank, const std::vector<int>& use) {
  Chain copy(0);
  for (const at::Tensor& p : chain.params) copy.params.push_back(p.detach().clone().requires_grad_(true));
  copy.Loss(rank, use).backward();
  std::vector<at::Tensor> grads;
  for (const at::Tensor& p : copy.params) grads.push_back(p.grad().defined() ? p.grad() : at::zeros_like(p));
  return grads;
}

// Overlapped (buckets start from backward on the queue's thread) against blocking (all after backward): the same
// bits, and the mean of every rank's plain gradients; rank 0 leaves parameter 2 unused.
TEST(GradientBucketerMpi, OverlapEqualsBlockingAndTheMeanOfEveryRanksGradients) {
  MpiCommunicator& comm = Comm();
  const int n = comm.size();
  auto use_of = [](int rank) { return rank == 0 ? std::vector<int>{0, 1, 3, 4} : std::vector<int>{0, 1, 2, 3, 4}; };
  Chain a(5), b(5);
  GradientBucketer overlapped(a.params, &comm, BucketOptions{256, 512, /*overlap=*/true});
  GradientBucketer blocking(b.params, &comm, BucketOptions{256, 512, /*overlap=*/false});
  ASSERT_GE(overlapped.buckets().size(), 3u);
  for (int step = 0; step < 3; ++step) {  // step 1 rebuilds the overlapped buckets in arrival order
    overlapped.ZeroGrad();
    a.Loss(comm.rank(), use_of(comm.rank())).backward();
    overlapped.AllReduceGradients();
    blocking.ZeroGrad();
    b.Loss(comm.rank(), use_of(comm.rank())).backward();
    blocking.AllReduceGradients();
    std::vector<at::Tensor> mean(5);
    for (int r = 0; r < n; ++r) {
      const std::vector<at::Tensor> g = PlainGrads(a, r, use_of(r));
      for (int i = 0; i < 5; ++i) mean[i] = r == 0 ? g[i].clone() : mean[i] + g[i];
    }
    for (int i = 0; i < 5; ++i) {
      EXPECT_TRUE(at::equal(a.params[i].grad(), b.params[i].grad())) << "step " << step << ", param " << i;
      EXPECT_TRUE(at::allclose(a.params[i].grad(), mean[i] / n, 1e-6, 0)) << "step " << step << ", param " << i;
    }
    if (step > 0 && comm.rank() == 1) EXPECT_GT(overlapped.last_started_in_backward(), 0);
    EXPECT_EQ(blocking.last_started_in_backward(), 0);
  }
}

// Failure scenarios, run only by mpi_stalled_rank_test.sh (they end the job on purpose).
TEST(MpiFailure, StalledRankOrMpiErrorAbortsEveryRank) {
  const char* mode = std::getenv("ZEGCLIP_MPI_FAILURE_TEST");
  if (mode == nullptr) GTEST_SKIP() << "run by mpi_stalled_rank_test.sh";
  MpiCommunicator comm(/*timeout_seconds=*/2);
  ASSERT_EQ(comm.size(), 2);
  if (std::string(mode) == "killed_in_backward" || std::string(mode) == "stalled_in_backward") {
    // Rank 1 goes away half-way through backward, after its first buckets have started.
    const bool kill = std::string(mode) == "killed_in_backward";
    Chain chain(6);
    GradientBucketer bucketer(chain.params, &comm, BucketOptions{0, 0, /*overlap=*/true});
    bucketer.ZeroGrad();
    auto vanish = [&] {
      if (comm.rank() != 1) return;
      if (kill) std::raise(SIGKILL);
      std::this_thread::sleep_for(std::chrono::seconds(60));
    };
    chain.Loss(comm.rank(), {0, 1, 2, 3, 4, 5}, vanish, /*mid_at=*/3).backward();
    bucketer.AllReduceGradients();
  } else if (std::string(mode) == "stall") {
    if (comm.rank() == 1) std::this_thread::sleep_for(std::chrono::seconds(60));
    at::Tensor t = at::ones({8});
    comm.AllReduceSum(t);
  } else {
    at::Tensor t = at::ones({comm.rank() == 0 ? 64 : 8});  // the receiver's buffer is too small
    comm.Broadcast(t, 0);
    comm.Barrier();
  }
  FAIL() << "the job should have been aborted";
}

}  // namespace
}  // namespace zegclip::distributed
