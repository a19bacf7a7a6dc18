#include "zegclip/distributed/communicator_factory.h"

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace zegclip::distributed {
namespace {

using ::testing::HasSubstr;

TEST(ResolveBackend, AutoFollowsWorldSizeAndCuda) {
  EXPECT_EQ(ResolveBackend(Backend::kAuto, 1, false).value(), Backend::kSingle);
  EXPECT_EQ(ResolveBackend(Backend::kAuto, 1, true).value(), Backend::kSingle);
  EXPECT_EQ(ResolveBackend(Backend::kAuto, 4, false).value(), Backend::kMpi);
#ifdef ZEGCLIP_WITH_NCCL
  EXPECT_EQ(ResolveBackend(Backend::kAuto, 4, true).value(), Backend::kNccl);
#else
  EXPECT_EQ(ResolveBackend(Backend::kAuto, 4, true).value(), Backend::kMpi);
#endif
}

TEST(ResolveBackend, ExplicitChoices) {
  EXPECT_EQ(ResolveBackend(Backend::kMpi, 1, false).value(), Backend::kMpi);
  EXPECT_EQ(ResolveBackend(Backend::kSingle, 1, true).value(), Backend::kSingle);
  const absl::StatusOr<Backend> single = ResolveBackend(Backend::kSingle, 2, false);
  ASSERT_FALSE(single.ok());
  EXPECT_THAT(std::string(single.status().message()), HasSubstr("started 2 ranks"));
}

TEST(ResolveBackend, NcclWithoutNcclListsTheAvailableBackends) {
#ifdef ZEGCLIP_WITH_NCCL
  GTEST_SKIP() << "this build has NCCL";
#else
  const absl::StatusOr<Backend> nccl = ResolveBackend(Backend::kNccl, 2, true);
  ASSERT_FALSE(nccl.ok());
  EXPECT_THAT(std::string(nccl.status().message()), HasSubstr("'nccl' is not compiled into this build"));
  EXPECT_THAT(std::string(nccl.status().message()), HasSubstr("available backends: single, mpi"));
  EXPECT_EQ(AvailableBackends(), (std::vector<std::string>{"single", "mpi"}));
#endif
}

TEST(Backend, NamesRoundTripAndUnknownNamesListTheKnownOnes) {
  for (Backend b : {Backend::kAuto, Backend::kSingle, Backend::kMpi, Backend::kNccl}) {
    EXPECT_EQ(ParseBackend(BackendName(b)).value(), b);
  }
  const absl::StatusOr<Backend> bad = ParseBackend("gloo");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("'gloo' (known: auto, single, mpi, nccl)"));
}

TEST(CreateCommunicator, PlainProcessGetsTheSingleBackendWithoutMpi) {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"}) unsetenv(name);
  absl::StatusOr<std::unique_ptr<Communicator>> comm = CreateCommunicator(DistOptions{});
  ASSERT_TRUE(comm.ok()) << comm.status();
  EXPECT_EQ((*comm)->backend(), "single");
  EXPECT_EQ((*comm)->size(), 1);
}

TEST(CreateCommunicator, SingleBackendUnderAMultiRankLauncherIsAnError) {
  setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  absl::StatusOr<std::unique_ptr<Communicator>> comm = CreateCommunicator({Backend::kSingle, 600});
  unsetenv("OMPI_COMM_WORLD_SIZE");
  ASSERT_FALSE(comm.ok());
  EXPECT_THAT(std::string(comm.status().message()), HasSubstr("'single' but the launcher started 2 ranks"));
}

}  // namespace
}  // namespace zegclip::distributed
