#include "zegclip/clip/positional_embedding.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace zegclip::clip {
namespace {

// (1 + 2·2, 2): CLS = (100, -100); grid a=1, b=2, c=3, d=4 in channel 0 and 10× that in channel 1.
at::Tensor TwoByTwo() {
  return at::tensor({100.f, -100.f, 1.f, 10.f, 2.f, 20.f, 3.f, 30.f, 4.f, 40.f}).reshape({5, 2});
}

float At(const at::Tensor& pos, int64_t grid_w, int64_t r, int64_t c, int64_t ch) {
  return pos[1 + r * grid_w + c][ch].item<float>();
}

TEST(PositionalEmbedding, GridSide) {
  EXPECT_EQ(PositionalGridSide(at::zeros({197, 8})), 14);
  EXPECT_EQ(PositionalGridSide(at::zeros({5, 8})), 2);
  EXPECT_THROW(PositionalGridSide(at::zeros({6, 8})), c10::Error);
}

TEST(PositionalEmbedding, IdentityAtNativeGrid) {
  at::Tensor pos = at::randn({1 + 14 * 14, 6});
  at::Tensor same = ResizePositionalEmbedding(pos, 14, 14);
  EXPECT_TRUE(same.is_same(pos));
}

TEST(PositionalEmbedding, BilinearUpsampleValues) {
  at::Tensor out = ResizePositionalEmbedding(TwoByTwo(), 4, 4);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{17, 2}));
  // Class position kept.
  EXPECT_EQ(out[0][0].item<float>(), 100.f);
  EXPECT_EQ(out[0][1].item<float>(), -100.f);
  // align_corners=false: source coordinate (o + 0.5) / 2 - 0.5, clamped -> corners are copied exactly.
  EXPECT_FLOAT_EQ(At(out, 4, 0, 0, 0), 1.f);
  EXPECT_FLOAT_EQ(At(out, 4, 0, 3, 0), 2.f);
  EXPECT_FLOAT_EQ(At(out, 4, 3, 0, 0), 3.f);
  EXPECT_FLOAT_EQ(At(out, 4, 3, 3, 0), 4.f);
  EXPECT_FLOAT_EQ(At(out, 4, 3, 3, 1), 40.f);
  // (0, 1) -> source (0, 0.25): 0.75·a + 0.25·b.
  EXPECT_FLOAT_EQ(At(out, 4, 0, 1, 0), 0.75f * 1 + 0.25f * 2);
  // (1, 1) -> source (0.25, 0.25).
  EXPECT_FLOAT_EQ(At(out, 4, 1, 1, 0), 0.5625f * 1 + 0.1875f * 2 + 0.1875f * 3 + 0.0625f * 4);
  // (2, 1) -> source (0.75, 0.25).
  EXPECT_FLOAT_EQ(At(out, 4, 2, 1, 1), 10.f * (0.1875f * 1 + 0.0625f * 2 + 0.5625f * 3 + 0.1875f * 4));
}

TEST(PositionalEmbedding, NonSquareTargetGrid) {
  at::Tensor out = ResizePositionalEmbedding(TwoByTwo(), 2, 3);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{7, 2}));
  // Rows keep their values (2 -> 2), columns 2 -> 3: middle column source x = 0.5.
  EXPECT_FLOAT_EQ(At(out, 3, 0, 0, 0), 1.f);
  EXPECT_FLOAT_EQ(At(out, 3, 0, 1, 0), 1.5f);
  EXPECT_FLOAT_EQ(At(out, 3, 1, 2, 0), 4.f);
}

TEST(PositionalEmbedding, GradientReachesNativeGrid) {
  at::Tensor pos = at::randn({1 + 3 * 3, 4}).requires_grad_(true);
  ResizePositionalEmbedding(pos, 5, 7).sum().backward();
  // Bilinear weights of each output sum to 1: the grid receives 5·7 per channel, the class row 1.
  at::Tensor grad = pos.grad();
  EXPECT_NEAR(grad.narrow(0, 1, 9).sum(0).mean().item<float>(), 35.f, 1e-4);
  EXPECT_FLOAT_EQ(grad[0].sum().item<float>(), 4.f);
}

TEST(PositionalEmbeddingCache, ReusesUntilTheSourceChanges) {
  ResizedPositionalEmbeddingCache cache;
  at::Tensor pos = at::randn({1 + 2 * 2, 3});
  at::Tensor first = cache.Get(pos, 4, 4);
  EXPECT_TRUE(cache.Get(pos, 4, 4).is_same(first));
  EXPECT_EQ(cache.size(), 1u);
  pos.add_(1.0);  // in-place update bumps the version
  at::Tensor second = cache.Get(pos, 4, 4);
  EXPECT_FALSE(second.is_same(first));
  EXPECT_TRUE(second.allclose(ResizePositionalEmbedding(pos, 4, 4)));
  EXPECT_TRUE(second.allclose(first + 1.0));
  // A different tensor with the same values is a different source.
  at::Tensor copy = pos.clone();
  EXPECT_FALSE(cache.Get(copy, 4, 4).is_same(second));
}

TEST(PositionalEmbeddingCache, NeverCachesWhenTheResultNeedsAGradient) {
  ResizedPositionalEmbeddingCache cache;
  at::Tensor pos = at::randn({1 + 2 * 2, 3}).requires_grad_(true);
  at::Tensor out = cache.Get(pos, 3, 3);
  EXPECT_TRUE(out.requires_grad());
  EXPECT_EQ(cache.size(), 0u);
  {
    at::NoGradGuard no_grad;
    at::Tensor frozen = cache.Get(pos, 3, 3);
    EXPECT_FALSE(frozen.requires_grad());
    EXPECT_EQ(cache.size(), 1u);
  }
  // Back in grad mode the cached (graph-less) copy must not be returned.
  EXPECT_TRUE(cache.Get(pos, 3, 3).requires_grad());
}

TEST(PositionalEmbeddingCache, NativeGridReturnsTheSource) {
  ResizedPositionalEmbeddingCache cache;
  at::Tensor pos = at::randn({1 + 2 * 2, 3});
  EXPECT_TRUE(cache.Get(pos, 2, 2).is_same(pos));
}

}  // namespace
}  // namespace zegclip::clip
