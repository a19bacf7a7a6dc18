#include "zegclip/base/byte_tensor.h"

#include <string>

#include "gtest/gtest.h"

namespace zegclip::base {
namespace {

TEST(ByteTensor, RoundTripsEveryByteValue) {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  bytes += std::string("\0\0tail", 6);
  const at::Tensor t = ByteTensorFromString(bytes);
  EXPECT_EQ(t.scalar_type(), at::kByte);
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{262}));
  EXPECT_EQ(t[255].item<int64_t>(), 255);
  EXPECT_EQ(t[256].item<int64_t>(), 0);
  EXPECT_EQ(StringFromByteTensor(t), bytes);
  EXPECT_EQ(ByteTensorFromString("").numel(), 0);
  EXPECT_EQ(StringFromByteTensor(ByteTensorFromString("")), "");
}

TEST(ByteTensor, ReadsAStridedViewInElementOrder) {
  const at::Tensor grid = ByteTensorFromString("abcdef").view({2, 3});
  EXPECT_EQ(StringFromByteTensor(grid.t()), "adbecf");  // the transpose, not the storage
  EXPECT_EQ(StringFromByteTensor(grid.select(1, 1)), "be");
}

TEST(ByteTensor, RefusesOtherDtypes) {
  EXPECT_THROW(StringFromByteTensor(at::zeros({3}, at::kFloat)), c10::Error);
}

}  // namespace
}  // namespace zegclip::base
