#include "zegclip/base/exception_text.h"

#include <stdexcept>

#include <c10/util/Exception.h>

#include <gtest/gtest.h>

namespace zegclip::base {
namespace {

TEST(ExceptionFirstLine, DropsTheBacktraceOfATorchCheck) {
  try {
    TORCH_CHECK(false, "shape mismatch: 3 vs 4");
    FAIL() << "TORCH_CHECK did not throw";
  } catch (const std::exception& e) {
    // what() holds the backtrace after the message; the first line is the message alone.
    ASSERT_NE(std::string(e.what()).find('\n'), std::string::npos);
    EXPECT_EQ(ExceptionFirstLine(e), "shape mismatch: 3 vs 4");
  }
}

TEST(ExceptionFirstLine, KeepsOnlyTheFirstLineOfAPlainException) {
  EXPECT_EQ(ExceptionFirstLine(std::runtime_error("first\nsecond")), "first");
  EXPECT_EQ(ExceptionFirstLine(std::runtime_error("one line")), "one line");
  EXPECT_EQ(ExceptionFirstLine(std::runtime_error("")), "");
}

}  // namespace
}  // namespace zegclip::base
