#include "zegclip/testing/temp_path.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace zegclip::testing {

const std::string& TempRoot() {
  static const std::string root = [] {
    const char* bazel_tmp = std::getenv("TEST_TMPDIR");
    const std::string dir = (bazel_tmp != nullptr && *bazel_tmp != '\0')
                                ? std::string(bazel_tmp)
                                : "/tmp/zegclip_test_" + std::to_string(getpid());
    std::filesystem::create_directories(dir);
    return dir;
  }();
  return root;
}

std::string TempPath(const std::string& name) { return TempRoot() + "/" + name; }

std::string FreshTempDir(const std::string& name) {
  const std::string dir = TempPath(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace zegclip::testing
