#include "zegclip/train/rng_state.h"

#include <cstdint>
#include <cstring>
#include <string>

#include <ATen/ATen.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace zegclip::train {
namespace {

using ::testing::HasSubstr;

TEST(RngState, RestoringReplaysTheSameDraws) {
  at::manual_seed(3);
  const std::string state = CaptureRngState();
  const at::Tensor a = at::randn({5});
  at::randn({100});
  ASSERT_TRUE(RestoreRngState(state).ok());
  EXPECT_TRUE(at::equal(at::randn({5}), a));
}

TEST(RngState, EmptyBytesRestoreNothing) {
  at::manual_seed(4);
  const at::Tensor a = at::randn({3});
  at::manual_seed(4);
  ASSERT_TRUE(RestoreRngState("").ok());
  EXPECT_TRUE(at::equal(at::randn({3}), a));
}

// Damaged bytes are an error and leave the generator where it was.
TEST(RngState, DamagedBytesAreRefusedWithoutTouchingTheGenerator) {
  at::manual_seed(5);
  std::string state = CaptureRngState();
  at::manual_seed(6);
  const at::Tensor expected = at::randn({4});
  struct Case {
    std::string bytes;
    const char* message;
  };
  std::string negative = state;
  const int64_t minus_one = -1;
  std::memcpy(negative.data() + sizeof(int64_t), &minus_one, sizeof(minus_one));
  const Case cases[] = {
      {state.substr(0, 10), "truncated record header"},
      {state.substr(0, state.size() - 1), "truncated record"},
      {negative, "truncated record"},
  };
  for (const Case& c : cases) {
    at::manual_seed(6);
    const absl::Status s = RestoreRngState(c.bytes);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.message));
    EXPECT_TRUE(at::equal(at::randn({4}), expected)) << c.message;
  }
}

// A CPU record whose state has the wrong size is refused by the generator: one line, no backtrace.
TEST(RngState, AStateOfTheWrongSizeIsOneLineError) {
  std::string bytes(2 * sizeof(int64_t), '\0');
  const int64_t header[2] = {static_cast<int64_t>(at::kCPU), 3};
  std::memcpy(bytes.data(), header, sizeof(header));
  bytes += "abc";
  const absl::Status s = RestoreRngState(bytes);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("RNG state: cannot restore: "));
  EXPECT_EQ(std::string(s.message()).find('\n'), std::string::npos);
}

}  // namespace
}  // namespace zegclip::train
