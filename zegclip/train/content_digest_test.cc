#include "zegclip/train/content_digest.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace zegclip::train {
namespace {

std::string HexOf(const std::string& a) {
  ContentDigest d;
  d.Add(a);
  return d.Hex();
}

std::string HexOf(const std::string& a, const std::string& b) {
  ContentDigest d;
  d.Add(a);
  d.Add(b);
  return d.Hex();
}

TEST(ContentDigest, IsStableAcrossBuilds) {
  // Checkpoints written by one build are verified by the next: the digest of a fixed input never changes.
  ContentDigest d;
  d.Add(std::string("zegclip"));
  d.Add(int64_t{300});
  d.Add(at::arange(10, at::kFloat));
  EXPECT_EQ(d.Hex(), "e0a5014bd6702060");
}

TEST(ContentDigest, EveryByteAndEveryBoundaryCounts) {
  EXPECT_EQ(HexOf("abc"), HexOf("abc"));
  EXPECT_EQ(HexOf("abc").size(), 16u);
  EXPECT_NE(HexOf("ab", "c"), HexOf("a", "bc"));   // framed by length
  EXPECT_NE(HexOf("abc"), HexOf("abc", std::string(1, '\0')));
  EXPECT_NE(HexOf("abc"), HexOf("abc", ""));  // an empty Add still counts
  EXPECT_NE(HexOf(std::string(9, '\0')), HexOf(std::string(10, '\0')));  // trailing zeros count
  // Flipping any single bit of a 64-byte block changes the digest (all 512 digests distinct).
  const std::string base(64, 'x');
  std::set<std::string> seen = {HexOf(base)};
  for (size_t byte = 0; byte < base.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = base;
      flipped[byte] = static_cast<char>(flipped[byte] ^ (1 << bit));
      EXPECT_TRUE(seen.insert(HexOf(flipped)).second) << byte << ":" << bit;
    }
  }
}

TEST(ContentDigest, TensorsCountDtypeShapeAndValues) {
  auto hex = [](const at::Tensor& t) {
    ContentDigest d;
    d.Add(t);
    return d.Hex();
  };
  const at::Tensor t = at::arange(6, at::kFloat);
  EXPECT_EQ(hex(t), hex(t.clone()));
  EXPECT_EQ(hex(t.reshape({2, 3}).t().contiguous().t()), hex(t.reshape({2, 3})));  // layout does not matter
  EXPECT_NE(hex(t), hex(t.reshape({2, 3})));
  EXPECT_NE(hex(t), hex(t.to(at::kDouble)));
  at::Tensor u = t.clone();
  u[5] = std::nextafter(5.0f, 6.0f);
  EXPECT_NE(hex(t), hex(u));
  EXPECT_NE(hex(at::zeros({0})), hex(at::zeros({0}, at::kDouble)));
}

}  // namespace
}  // namespace zegclip::train
