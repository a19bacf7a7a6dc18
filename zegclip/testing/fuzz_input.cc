#include "zegclip/testing/fuzz_input.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace zegclip::testing {
namespace {

std::string InputPath() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  return dir + "/zegclip_fuzz_input." + std::to_string(::getpid());
}

}  // namespace

const std::string& InputFile(const std::string& bytes) {
  // Never destroyed (libFuzzer may exit from any thread); removed by an atexit handler instead.
  static const std::string* const path = new std::string(InputPath());
  static const int registered = std::atexit([] { std::remove(path->c_str()); });
  (void)registered;
  std::ofstream out(*path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path->c_str());
    std::abort();
  }
  return *path;
}

std::string FindRunfile(const char* argv0, const std::string& relative) {
  std::string candidates[3];
  if (const char* root = std::getenv("TEST_SRCDIR"); root != nullptr) candidates[0] = std::string(root) + "/zegclip/" + relative;
  if (argv0 != nullptr) candidates[1] = std::string(argv0) + ".runfiles/zegclip/" + relative;
  candidates[2] = relative;
  for (const std::string& path : candidates) {
    if (!path.empty() && ::access(path.c_str(), R_OK) == 0) return path;
  }
  return relative;
}

uint8_t FuzzBytes::Byte() { return pos_ < size_ ? data_[pos_++] : 0; }

int64_t FuzzBytes::IntInRange(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t range = static_cast<uint64_t>(hi - lo);
  uint64_t value = 0;
  for (uint64_t covered = 0; covered < range && pos_ < size_; covered = (covered << 8) | 0xFF) {
    value = (value << 8) | Byte();
  }
  return lo + static_cast<int64_t>(range == UINT64_MAX ? value : value % (range + 1));
}

std::string FuzzBytes::Until(char separator) {
  std::string out;
  while (pos_ < size_) {
    const char c = static_cast<char>(data_[pos_++]);
    if (c == separator) break;
    out.push_back(c);
  }
  return out;
}

std::string FuzzBytes::Rest() {
  std::string out(reinterpret_cast<const char*>(data_) + pos_, size_ - pos_);
  pos_ = size_;
  return out;
}

void FuzzCheckFailed(const char* condition, const std::string& what, const char* file, int line) {
  std::fprintf(stderr, "fuzz check failed: %s (%s) at %s:%d\n", what.c_str(), condition, file, line);
  std::abort();
}

}  // namespace zegclip::testing
