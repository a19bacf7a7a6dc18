// The NCCL backend on one GPU, one rank (the GPU box has one GPU; NCCL refuses two ranks on one device, so the
// multi-rank collectives are proven on CPU by mpi_communicator_test). Built by the CMake mirror on CUDA hosts with
// NCCL (ZEGCLIP_WITH_NCCL); elsewhere the test skips. Run: build/bin/nccl_communicator_test (or under mpirun -np 1).
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "zegclip/distributed/gradient_bucketer.h"
#ifdef ZEGCLIP_WITH_NCCL
#include "zegclip/distributed/nccl_communicator.h"
#endif

namespace zegclip::distributed {
namespace {

#ifdef ZEGCLIP_WITH_NCCL
NcclCommunicator& Comm() {
  static NcclCommunicator* comm = new NcclCommunicator(/*timeout_seconds=*/60);
  return *comm;
}

TEST(NcclCommunicator, OneRankCollectivesOnTheGpu) {
  NcclCommunicator& comm = Comm();
  EXPECT_EQ(comm.backend(), "nccl");
  EXPECT_TRUE(comm.device().is_cuda());
  const int n = comm.size();
  for (at::ScalarType dtype : {at::kFloat, at::kDouble, at::kLong, at::kBFloat16, at::kHalf}) {
    at::Tensor t = at::full({1000}, 3, at::TensorOptions().dtype(dtype).device(comm.device()));
    comm.AllReduceSum(t);
    EXPECT_TRUE(at::equal(t.cpu(), at::full({1000}, 3 * n, at::TensorOptions().dtype(dtype)))) << dtype;
  }
  at::Tensor b = at::arange(7, at::TensorOptions().device(comm.device())) * (comm.rank() + 1);
  comm.Broadcast(b, 0);
  EXPECT_TRUE(at::equal(b.cpu(), at::arange(7)));
  EXPECT_DOUBLE_EQ(comm.AllReduceMean(2.0), 2.0);
  EXPECT_EQ(comm.AllGather("abc").at(comm.rank()), "abc");
  comm.Barrier();
  at::Tensor on_cpu = at::ones({4});
  EXPECT_THROW(comm.AllReduceSum(on_cpu), c10::Error);
}

TEST(NcclCommunicator, BucketerAveragesCudaGradients) {
  NcclCommunicator& comm = Comm();
  std::vector<at::Tensor> params = {at::ones({300, 5}, at::TensorOptions().device(comm.device())).requires_grad_(),
                                    at::ones({17}, at::TensorOptions().device(comm.device())).requires_grad_()};
  GradientBucketer bucketer(params, &comm, {1024, 4096});
  bucketer.BroadcastParameters();
  params[0].mutable_grad() = at::full_like(params[0], 2.0);
  bucketer.AllReduceGradients();
  EXPECT_TRUE(at::equal(params[0].grad().cpu(), at::full({300, 5}, 2.0)));
  EXPECT_TRUE(at::equal(params[1].grad().cpu(), at::zeros({17})));
}
// Started allreduces run on the communicator's stream after what the current stream had queued, and Wait orders the
// current stream after them: a kernel queued before the start is seen, one queued after the wait sees the result.
TEST(NcclCommunicator, StartedAllReducesFollowTheCurrentStreamAndWaitOrdersItAfterThem) {
  NcclCommunicator& comm = Comm();
  const int n = comm.size();
  std::vector<at::Tensor> buckets;
  std::vector<std::unique_ptr<CollectiveWork>> works;
  for (int b = 0; b < 4; ++b) {
    at::Tensor t = at::zeros({1 << 20}, at::TensorOptions().device(comm.device()));
    t.add_(b + 1.0);  // queued on the current stream just before the start
    works.push_back(comm.StartAllReduceSum(t));
    buckets.push_back(t);
  }
  at::Tensor busy = at::randn({2048, 2048}, at::TensorOptions().device(comm.device()));
  for (int i = 0; i < 4; ++i) busy = busy.matmul(busy).tanh();  // compute meanwhile on the current stream
  for (auto& work : works) work->Wait();
  for (int b = 0; b < 4; ++b) {
    at::Tensor doubled = buckets[b] * 2;  // queued after the wait
    EXPECT_TRUE(at::equal(doubled.cpu(), at::full({1 << 20}, 2.0 * (b + 1) * n))) << "bucket " << b;
  }
}
#else
TEST(NcclCommunicator, NotBuiltWithoutNccl) { GTEST_SKIP() << "built without ZEGCLIP_WITH_NCCL"; }
#endif

}  // namespace
}  // namespace zegclip::distributed
