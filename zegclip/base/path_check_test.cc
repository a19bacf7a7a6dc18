#include "zegclip/base/path_check.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace zegclip::base {
namespace {

std::string Fresh(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/path_check_" + name;
  std::string command = "rm -rf '" + dir + "'";
  EXPECT_EQ(std::system(command.c_str()), 0);
  EXPECT_TRUE(CreateDirectories(dir, "test folder").ok());
  return dir;
}

TEST(PathCheck, MissingFileIsNotFoundNamingIt) {
  const std::string dir = Fresh("missing");
  const absl::Status s = CheckReadableFile(dir + "/none.jpg", "image file");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "image file not found: " + dir + "/none.jpg");
  EXPECT_EQ(*TypeOf(dir + "/none.jpg", "x"), PathType::kMissing);
}

TEST(PathCheck, SymlinkLoopIsAnErrorNotAnException) {
  const std::string dir = Fresh("loop");
  ASSERT_EQ(::symlink("loop", (dir + "/loop").c_str()), 0);
  const std::string loop = dir + "/loop";
  EXPECT_EQ(CheckReadableFile(loop, "image file").message(),
            "image file " + loop + ": too many levels of symbolic links");
  EXPECT_EQ(CheckReadableFile(loop, "image file").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckDirectory(loop, "run directory").message(),
            "run directory " + loop + ": too many levels of symbolic links");
  EXPECT_FALSE(CreateDirectories(loop + "/sub", "work dir").ok());
  EXPECT_EQ(CreateDirectories(loop, "work dir").message(), "work dir " + loop + ": too many levels of symbolic links");
  // A listing holds the loop's name; listing the loop itself fails.
  absl::StatusOr<std::vector<std::string>> names = ListDirectory(dir, "folder");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, std::vector<std::string>{"loop"});
  EXPECT_FALSE(ListDirectory(loop, "folder").ok());
}

TEST(PathCheck, FolderWhereAFileIsWantedAndTheReverse) {
  const std::string dir = Fresh("kinds");
  std::ofstream(dir + "/file") << "x";
  EXPECT_EQ(CheckReadableFile(dir, "checkpoint").message(), "checkpoint " + dir + ": is a folder, not a file");
  EXPECT_EQ(CheckDirectory(dir + "/file", "run directory").message(), "run directory " + dir + "/file: not a folder");
  EXPECT_EQ(CreateDirectories(dir + "/file", "work dir").message(), "work dir " + dir + "/file: exists and is not a folder");
  EXPECT_EQ(CreateDirectories(dir + "/file/sub", "work dir").message(),
            "work dir " + dir + "/file/sub: a part of the path is not a folder");
  EXPECT_TRUE(CheckReadableFile(dir + "/file", "x").ok());
  EXPECT_TRUE(CreateDirectories(dir + "/a/b/c", "work dir").ok());
  EXPECT_TRUE(CreateDirectories(dir + "/a/b/c", "work dir").ok());  // existing: fine
}

TEST(PathCheck, ErrnoNamesTheReason) {
  EXPECT_EQ(ErrnoPathError("image file", "/x.jpg", EACCES).message(), "image file /x.jpg: permission denied");
  EXPECT_EQ(ErrnoPathError("image file", "/x.jpg", EACCES).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoPathError("report", "/r.md", ENOSPC).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrnoPathError("report", "/r.md", EROFS).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(WriteError("/r.md", ENOSPC).message(), "cannot write /r.md: no space left on device");
  EXPECT_EQ(WriteError("/r.md", ENOSPC).code(), absl::StatusCode::kResourceExhausted);
}

TEST(PathCheck, UnreadableFileIsPermissionDeniedUnlessPrivileged) {
  const std::string dir = Fresh("perm");
  const std::string path = dir + "/secret";
  std::ofstream(path) << "x";
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  const absl::Status s = CheckReadableFile(path, "label file");
  // root (CAP_DAC_OVERRIDE) reads it anyway; everyone else must get the permission error, never "not found".
  if (std::ifstream(path)) {
    EXPECT_TRUE(s.ok()) << s;
  } else {
    EXPECT_EQ(s.message(), "label file " + path + ": permission denied");
  }
}

}  // namespace
}  // namespace zegclip::base
