#include "zegclip/report/run_directory_lock.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace zegclip::report {
namespace {

std::string MakeDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

std::string LockFile(const std::string& dir) { return dir + "/" + RunDirectoryLock::kFileName; }

// Whether another process (util-linux flock(1)) can take the lock right now.
bool OtherProcessCanLock(const std::string& dir) {
  return std::system(("flock -n '" + LockFile(dir) + "' true").c_str()) == 0;
}

TEST(RunDirectoryLock, ExcludesOtherProcessesForItsLifetime) {
  const std::string dir = MakeDir("locked");
  {
    absl::StatusOr<RunDirectoryLock> lock = RunDirectoryLock::Acquire(dir, "train");
    ASSERT_TRUE(lock.ok()) << lock.status();
    EXPECT_FALSE(OtherProcessCanLock(dir));
    // The holder says who it is.
    std::ifstream in(LockFile(dir));
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().rfind("pid " + std::to_string(::getpid()) + " on ", 0), 0u) << text.str();
    EXPECT_NE(text.str().find("(train since "), std::string::npos) << text.str();
  }
  EXPECT_TRUE(OtherProcessCanLock(dir)) << "released when the lock object goes";
}

TEST(RunDirectoryLock, ASecondWriterGetsOneErrorNamingTheHolder) {
  const std::string dir = MakeDir("held_elsewhere");
  // Another process holds it for a few seconds.
  ASSERT_EQ(std::system(("flock '" + LockFile(dir) + "' sleep 3 &").c_str()), 0);
  for (int i = 0; i < 100 && OtherProcessCanLock(dir); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  {
    std::ofstream(LockFile(dir)) << "pid 4711 on node3 (train since 2026-12-03 17:40:01)\n";
  }
  absl::StatusOr<RunDirectoryLock> lock = RunDirectoryLock::Acquire(dir, "eval");
  ASSERT_FALSE(lock.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(lock.status()));
  EXPECT_EQ(std::string(lock.status().message()),
            dir + " is in use by pid 4711 on node3 (train since 2026-12-03 17:40:01): one writer per run directory; "
                  "wait for it to finish or choose another --work_dir");
  for (int i = 0; i < 400 && !OtherProcessCanLock(dir); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(RunDirectoryLock::Acquire(dir, "eval").ok()) << "free again once the holder exits";
}

TEST(RunDirectoryLock, IsReentrantWithinTheProcess) {
  const std::string dir = MakeDir("nested");
  std::optional<RunDirectoryLock> outer(*RunDirectoryLock::Acquire(dir, "quickstart"));
  {
    absl::StatusOr<RunDirectoryLock> inner = RunDirectoryLock::Acquire(dir + "/.", "train");
    ASSERT_TRUE(inner.ok()) << inner.status();
  }
  EXPECT_FALSE(OtherProcessCanLock(dir)) << "the outer holder still holds it";
  outer.reset();
  EXPECT_TRUE(OtherProcessCanLock(dir));
}

TEST(RunDirectoryLock, AMissingDirectoryIsNamed) {
  absl::StatusOr<RunDirectoryLock> lock = RunDirectoryLock::Acquire(::testing::TempDir() + "/no/such", "train");
  ASSERT_FALSE(lock.ok());
  EXPECT_NE(lock.status().message().find("/no/such: cannot open the run directory"), std::string::npos);
}

}  // namespace
}  // namespace zegclip::report
