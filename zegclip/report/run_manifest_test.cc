#include "zegclip/report/run_manifest.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <gtest/gtest.h>

#include <cstdlib>

#include "zegclip/testing/temp_path.h"

namespace zegclip::report {
namespace {

using ::zegclip::testing::TempPath;

TEST(RunManifest, JsonHasEveryFieldAndWallClock) {
  RunManifest m = StartManifest("zegclip train --config=x", "train", 42);
  m.world_size = 2;
  m.backend = "mpi";
  m.extra["clip_checkpoint"] = "/w/clip.pt";
  FinishManifest(&m);
  nlohmann::json j = nlohmann::json::parse(ManifestToJson(m));
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["world_size"], 2);
  EXPECT_EQ(j["backend"], "mpi");
  EXPECT_EQ(j["subcommand"], "train");
  EXPECT_FALSE(j["git_commit"].get<std::string>().empty());
  EXPECT_TRUE(j["versions"].contains("libtorch"));
  EXPECT_TRUE(j["versions"].contains("mpi"));
  EXPECT_GE(j["wall_seconds"].get<double>(), 0.0);
  EXPECT_EQ(j["start_time"].get<std::string>().size(), 20u);  // 2026-01-01T00:00:00Z
  EXPECT_EQ(j["extra"]["clip_checkpoint"], "/w/clip.pt");
}

// An exported tree names its commit through ZEGCLIP_GIT_COMMIT; without it git is asked (here: a checkout or none).
TEST(RunManifest, ExportedTreeCommitFromTheEnvironment) {
  setenv("ZEGCLIP_GIT_COMMIT", "d206a4f0123456789abcdef0123456789abcdef0", 1);
  RunManifest exported = StartManifest("zegclip train", "train", 0);
  EXPECT_EQ(exported.git_commit, "d206a4f0123456789abcdef0123456789abcdef0");
  EXPECT_FALSE(exported.git_dirty);
  unsetenv("ZEGCLIP_GIT_COMMIT");
  RunManifest asked = StartManifest("zegclip train", "train", 0);
  EXPECT_NE(asked.git_commit, "d206a4f0123456789abcdef0123456789abcdef0");
  EXPECT_FALSE(asked.git_commit.empty());
}

// The atomic write itself is tested in zegclip/base/atomic_file_test.cc; here, that the manifest goes through it.
TEST(RunManifest, WriteManifestReplacesAndLeavesNoTemp) {
  const std::string path = TempPath("m.json");
  RunManifest first = StartManifest("zegclip train", "train", 1);
  RunManifest second = StartManifest("zegclip eval", "eval", 2);
  ASSERT_TRUE(WriteManifest(first, path).ok());
  ASSERT_TRUE(WriteManifest(second, path).ok());
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  EXPECT_EQ(nlohmann::json::parse(text.str())["subcommand"], "eval");
  EXPECT_FALSE(std::ifstream(path + ".tmp." + std::to_string(getpid())).good());
}

TEST(RunManifest, WriteManifestToMissingFolderFailsWithThePath) {
  absl::Status s = WriteManifest(StartManifest("zegclip train", "train", 0), "/nonexistent/dir/m.json");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("/nonexistent/dir/m.json"), std::string::npos);
}

}  // namespace
}  // namespace zegclip::report
