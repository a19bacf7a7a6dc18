#include "zegclip/heads/mask_cross_attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace zegclip::heads {
namespace {

// y = W x + b for one row vector, written out.
std::vector<double> Affine(const torch::nn::Linear& lin, const at::Tensor& x) {
  auto w = lin->weight.accessor<double, 2>();
  auto b = lin->bias.accessor<double, 1>();
  auto xa = x.accessor<double, 1>();
  std::vector<double> y(w.size(0));
  for (int64_t o = 0; o < w.size(0); ++o) {
    y[o] = b[o];
    for (int64_t i = 0; i < w.size(1); ++i) y[o] += w[o][i] * xa[i];
  }
  return y;
}

TEST(MaskCrossAttention, ScoresAndOutputMatchNaiveLoops) {
  at::manual_seed(1);
  const int64_t b = 2, nq = 3, nk = 5, w = 6, heads = 3, hd = 2;
  MaskCrossAttention attn(MaskCrossAttentionOptions{w, heads, 0.1});
  attn->to(at::kDouble);
  attn->eval();
  at::Tensor query = at::randn({b, nq, w}, at::kDouble);
  at::Tensor memory = at::randn({b, nk, w}, at::kDouble);
  MaskCrossAttentionOutput out = attn(query, memory);
  ASSERT_EQ(out.scores.sizes(), (std::vector<int64_t>{b, nq, nk}));
  ASSERT_EQ(out.output.sizes(), (std::vector<int64_t>{b, nq, w}));
  auto scores = out.scores.accessor<double, 3>();
  auto output = out.output.accessor<double, 3>();
  for (int64_t i = 0; i < b; ++i) {
    std::vector<std::vector<double>> ks, vs;
    for (int64_t j = 0; j < nk; ++j) {
      ks.push_back(Affine(attn->k, memory[i][j]));
      vs.push_back(Affine(attn->v, memory[i][j]));
    }
    for (int64_t r = 0; r < nq; ++r) {
      std::vector<double> qv = Affine(attn->q, query[i][r]);
      std::vector<double> mean_score(nk, 0.0), mixed(w, 0.0);
      for (int64_t h = 0; h < heads; ++h) {
        std::vector<double> s(nk);
        double denom = 0.0;
        for (int64_t j = 0; j < nk; ++j) {
          s[j] = 0.0;
          for (int64_t e = 0; e < hd; ++e) s[j] += qv[h * hd + e] * ks[j][h * hd + e];
          s[j] /= std::sqrt(static_cast<double>(hd));
          mean_score[j] += s[j] / heads;
          denom += std::exp(s[j]);
        }
        for (int64_t j = 0; j < nk; ++j) {
          for (int64_t e = 0; e < hd; ++e) mixed[h * hd + e] += std::exp(s[j]) / denom * vs[j][h * hd + e];
        }
      }
      for (int64_t j = 0; j < nk; ++j) EXPECT_NEAR(scores[i][r][j], mean_score[j], 1e-12);
      std::vector<double> projected = Affine(attn->proj, at::tensor(mixed, at::kDouble));
      for (int64_t o = 0; o < w; ++o) EXPECT_NEAR(output[i][r][o], projected[o], 1e-12);
    }
  }
}

TEST(MaskCrossAttention, ScoresIgnoreAttentionDropout) {
  at::manual_seed(2);
  MaskCrossAttention attn(MaskCrossAttentionOptions{8, 2, 0.5});
  attn->train();
  at::Tensor query = at::randn({1, 4, 8});
  at::Tensor memory = at::randn({1, 16, 8});
  MaskCrossAttentionOutput a = attn(query, memory);
  MaskCrossAttentionOutput b = attn(query, memory);
  EXPECT_TRUE(at::equal(a.scores, b.scores));
  EXPECT_FALSE(at::allclose(a.output, b.output));  // the weights themselves were dropped differently
}

TEST(MaskCrossAttention, RejectsBadShapesAndHeadSplit) {
  EXPECT_THROW(MaskCrossAttention(MaskCrossAttentionOptions{10, 3, 0.0}), c10::Error);
  MaskCrossAttention attn(MaskCrossAttentionOptions{8, 2, 0.0});
  EXPECT_THROW(attn(at::randn({1, 4, 8}), at::randn({2, 16, 8})), c10::Error);
  EXPECT_THROW(attn(at::randn({1, 4, 6}), at::randn({1, 16, 8})), c10::Error);
}

}  // namespace
}  // namespace zegclip::heads
