// Helpers for fuzz targets (fuzzer.bzl): the input as a file for readers that take paths, a reader that turns the
// input's bytes into structured choices, and a check whose failure is a finding.
//
// Example:
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     zegclip::testing::FuzzBytes in(data, size);
//     const int64_t context = in.IntInRange(0, 100);       // first byte(s): a parameter
//     const std::string& path = zegclip::testing::InputFile(in.Rest());  // the remaining bytes as a file
//     ...
//     FUZZ_CHECK(roundtrip == original, "npy round trip changed the tensor");
//   }
#ifndef ZEGCLIP_TESTING_FUZZ_INPUT_H_
#define ZEGCLIP_TESTING_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace zegclip::testing {

// Writes `bytes` to this process's fuzz input file (under $TEST_TMPDIR or /tmp, named by pid, rewritten for every
// input and removed at exit) and returns its path.
const std::string& InputFile(const std::string& bytes);

// A data file of the workspace (e.g. "third_party/clip/bpe_simple_vocab_16e6.txt.gz") for a target run by
// `bazel test` ($TEST_SRCDIR), straight from bazel-bin (`<argv0>.runfiles/`) or from the workspace root.
std::string FindRunfile(const char* argv0, const std::string& relative);

// Consumes an input front to back; past the end every call returns its smallest value (never fails).
class FuzzBytes {
 public:
  FuzzBytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Byte();
  bool Bool() { return (Byte() & 1) != 0; }
  // A value in [lo, hi] from as many bytes as the range needs.
  int64_t IntInRange(int64_t lo, int64_t hi);
  // Bytes up to (not including) the next `separator`, or to the end; the separator is consumed.
  std::string Until(char separator);
  // Everything not yet consumed.
  std::string Rest();
  size_t remaining() const { return size_ - pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Prints "fuzz check failed: <what> (<condition>) at file:line" and aborts, so libFuzzer keeps the input.
[[noreturn]] void FuzzCheckFailed(const char* condition, const std::string& what, const char* file, int line);

}  // namespace zegclip::testing

#define FUZZ_CHECK(condition, what)                                                       \
  do {                                                                                    \
    if (!(condition)) ::zegclip::testing::FuzzCheckFailed(#condition, what, __FILE__, __LINE__); \
  } while (0)

#endif  // ZEGCLIP_TESTING_FUZZ_INPUT_H_
