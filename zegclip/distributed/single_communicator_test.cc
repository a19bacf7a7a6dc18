#include "zegclip/distributed/single_communicator.h"

#include <gtest/gtest.h>

namespace zegclip::distributed {
namespace {

TEST(SingleCommunicator, CollectivesAreIdentities) {
  SingleCommunicator comm;
  EXPECT_EQ(comm.rank(), 0);
  EXPECT_EQ(comm.size(), 1);
  EXPECT_EQ(comm.local_rank(), 0);
  EXPECT_EQ(comm.backend(), "single");
  EXPECT_TRUE(comm.is_main());
  EXPECT_EQ(comm.RankTag(), "[rank 0/1]");

  at::Tensor t = at::arange(6, at::TensorOptions().dtype(at::kFloat)).view({2, 3});
  const at::Tensor before = t.clone();
  comm.AllReduceSum(t);
  EXPECT_TRUE(at::equal(t, before));
  comm.Broadcast(t, 0);
  EXPECT_TRUE(at::equal(t, before));
  comm.Barrier();

  EXPECT_DOUBLE_EQ(comm.AllReduceMean(2.5), 2.5);
  EXPECT_DOUBLE_EQ(comm.AllReduceSum(-1.25), -1.25);
  EXPECT_EQ(comm.AllReduceMean(std::vector<double>{1, 2, 3}), (std::vector<double>{1, 2, 3}));
  EXPECT_DOUBLE_EQ(comm.Broadcast(7.0), 7.0);
  const std::string bytes("a\0b", 3);
  EXPECT_EQ(comm.AllGather(bytes), std::vector<std::string>{bytes});
  EXPECT_EQ(comm.AllGather(""), std::vector<std::string>{""});
}

TEST(SingleCommunicator, RejectsWhatTheRealBackendsReject) {
  SingleCommunicator comm;
  at::Tensor strided = at::zeros({4, 4}).t();
  EXPECT_THROW(comm.AllReduceSum(strided), c10::Error);
  at::Tensor undefined;
  EXPECT_THROW(comm.Broadcast(undefined, 0), c10::Error);
  at::Tensor t = at::zeros({2});
  EXPECT_THROW(comm.Broadcast(t, 1), c10::Error);
}

TEST(SingleCommunicatorDeathTest, AbortNamesTheRankAndReason) {
  SingleCommunicator comm;
  EXPECT_EXIT(comm.Abort("loss is NaN"), ::testing::ExitedWithCode(1), "\\[rank 0/1\\] aborting: loss is NaN");
}

}  // namespace
}  // namespace zegclip::distributed
