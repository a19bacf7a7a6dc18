#include "zegclip/distributed/launcher_env.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace zegclip::distributed {
namespace {

// Clears every variable the launcher functions read, so each test starts from a plain process.
void ClearLauncherEnv() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS", "OMPI_COMM_WORLD_LOCAL_RANK",
                           "MPI_LOCALRANKID", "SLURM_LOCALID"}) {
    unsetenv(name);
  }
}

TEST(LauncherEnv, PlainProcessIsOneRankWithoutLocalRank) {
  ClearLauncherEnv();
  EXPECT_EQ(LauncherWorldSize(), 1);
  EXPECT_FALSE(LauncherLocalRank().has_value());
}

TEST(LauncherEnv, OpenMpiVariablesWinOverPmiAndSlurm) {
  ClearLauncherEnv();
  setenv("SLURM_NTASKS", "8", 1);
  EXPECT_EQ(LauncherWorldSize(), 8);
  setenv("PMI_SIZE", "6", 1);
  EXPECT_EQ(LauncherWorldSize(), 6);
  setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  EXPECT_EQ(LauncherWorldSize(), 4);

  setenv("SLURM_LOCALID", "3", 1);
  EXPECT_EQ(LauncherLocalRank().value(), 3);
  setenv("OMPI_COMM_WORLD_LOCAL_RANK", "1", 1);
  EXPECT_EQ(LauncherLocalRank().value(), 1);
  ClearLauncherEnv();
}

TEST(LauncherEnv, IgnoresMalformedValues) {
  ClearLauncherEnv();
  setenv("OMPI_COMM_WORLD_SIZE", "two", 1);
  setenv("PMI_SIZE", "3", 1);
  EXPECT_EQ(LauncherWorldSize(), 3);
  setenv("OMPI_COMM_WORLD_LOCAL_RANK", "-1", 1);
  EXPECT_FALSE(LauncherLocalRank().has_value());
  ClearLauncherEnv();
}

}  // namespace
}  // namespace zegclip::distributed
