#include "zegclip/clip/self_attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/activation.h>

namespace zegclip::clip {
namespace {

// Attention written out with scalar loops in double precision: the independent reference.
at::Tensor NaiveAttention(const at::Tensor& x_in, SelfAttentionImpl& attn, bool causal) {
  const at::Tensor x = x_in.to(at::kDouble);
  const at::Tensor w = attn.in_proj_weight.detach().to(at::kDouble);
  const at::Tensor b = attn.in_proj_bias.detach().to(at::kDouble);
  const at::Tensor wo = attn.out_proj->weight.detach().to(at::kDouble);
  const at::Tensor bo = attn.out_proj->bias.detach().to(at::kDouble);
  const int64_t batch = x.size(0), length = x.size(1), width = x.size(2);
  const int64_t heads = attn.options().heads, hd = width / heads;
  auto xa = x.accessor<double, 3>();
  auto wa = w.accessor<double, 2>();
  auto ba = b.accessor<double, 1>();
  // qkv[n][t][j], j in [0, 3W)
  std::vector<double> qkv(static_cast<size_t>(batch * length * 3 * width));
  auto at3 = [&](int64_t n, int64_t t, int64_t j) -> double& { return qkv[(n * length + t) * 3 * width + j]; };
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t t = 0; t < length; ++t)
      for (int64_t j = 0; j < 3 * width; ++j) {
        double s = ba[j];
        for (int64_t d = 0; d < width; ++d) s += wa[j][d] * xa[n][t][d];
        at3(n, t, j) = s;
      }
  at::Tensor heads_out = at::zeros({batch, length, width}, at::kDouble);
  auto ho = heads_out.accessor<double, 3>();
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < length; ++i) {
        std::vector<double> score(static_cast<size_t>(length), -INFINITY);
        double top = -INFINITY;
        for (int64_t j = 0; j < length; ++j) {
          if (causal && j > i) continue;
          double s = 0;
          for (int64_t d = 0; d < hd; ++d) s += at3(n, i, h * hd + d) * at3(n, j, width + h * hd + d);
          score[j] = s / std::sqrt(static_cast<double>(hd));
          top = std::max(top, score[j]);
        }
        double total = 0;
        for (int64_t j = 0; j < length; ++j) total += (score[j] == -INFINITY) ? 0 : std::exp(score[j] - top);
        for (int64_t j = 0; j < length; ++j) {
          if (score[j] == -INFINITY) continue;
          const double p = std::exp(score[j] - top) / total;
          for (int64_t d = 0; d < hd; ++d) ho[n][i][h * hd + d] += p * at3(n, j, 2 * width + h * hd + d);
        }
      }
  auto woa = wo.accessor<double, 2>();
  auto boa = bo.accessor<double, 1>();
  at::Tensor out = at::zeros({batch, length, width}, at::kDouble);
  auto oa = out.accessor<double, 3>();
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t t = 0; t < length; ++t)
      for (int64_t o = 0; o < width; ++o) {
        double s = boa[o];
        for (int64_t d = 0; d < width; ++d) s += woa[o][d] * ho[n][t][d];
        oa[n][t][o] = s;
      }
  return out;
}

SelfAttention MakeAttention(bool causal, bool fused) {
  at::manual_seed(3);
  SelfAttention attn(SelfAttentionOptions{/*width=*/8, /*heads=*/2, causal, fused});
  // Non-zero biases so that their use is tested too.
  at::NoGradGuard no_grad;
  attn->in_proj_bias.uniform_(-0.5, 0.5);
  attn->out_proj->bias.uniform_(-0.5, 0.5);
  return attn;
}

TEST(SelfAttention, ParameterNamesAndShapesMatchTorchMultiheadAttention) {
  SelfAttention attn(SelfAttentionOptions{12, 3});
  auto params = attn->named_parameters();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params["in_proj_weight"].sizes(), (std::vector<int64_t>{36, 12}));
  EXPECT_EQ(params["in_proj_bias"].sizes(), (std::vector<int64_t>{36}));
  EXPECT_EQ(params["out_proj.weight"].sizes(), (std::vector<int64_t>{12, 12}));
  EXPECT_EQ(params["out_proj.bias"].sizes(), (std::vector<int64_t>{12}));
  // torch.nn.MultiheadAttention's init: zero biases, xavier-uniform in_proj (bound sqrt(6 / (12 + 36)) = 0.354).
  EXPECT_EQ(params["in_proj_bias"].abs().max().item<float>(), 0.0f);
  EXPECT_EQ(params["out_proj.bias"].abs().max().item<float>(), 0.0f);
  EXPECT_LE(params["in_proj_weight"].abs().max().item<float>(), std::sqrt(6.0f / 48.0f) + 1e-6f);
}

TEST(SelfAttention, MatchesNaiveLoopsWithoutMask) {
  SelfAttention attn = MakeAttention(/*causal=*/false, /*fused=*/false);
  at::Tensor x = at::randn({2, 5, 8});
  at::Tensor expected = NaiveAttention(x, *attn, false);
  at::Tensor got = attn->forward(x).to(at::kDouble);
  EXPECT_LT((got - expected).abs().max().item<double>(), 1e-5);
}

TEST(SelfAttention, MatchesNaiveLoopsWithCausalMask) {
  SelfAttention attn = MakeAttention(/*causal=*/true, /*fused=*/false);
  at::Tensor x = at::randn({2, 6, 8});
  at::Tensor expected = NaiveAttention(x, *attn, true);
  at::Tensor got = attn->forward(x).to(at::kDouble);
  EXPECT_LT((got - expected).abs().max().item<double>(), 1e-5);
}

TEST(SelfAttention, MatchesTorchMultiheadAttention) {
  SelfAttention attn = MakeAttention(/*causal=*/true, /*fused=*/false);
  torch::nn::MultiheadAttention reference(torch::nn::MultiheadAttentionOptions(8, 2));
  {
    at::NoGradGuard no_grad;
    reference->in_proj_weight.copy_(attn->in_proj_weight);
    reference->in_proj_bias.copy_(attn->in_proj_bias);
    reference->out_proj->weight.copy_(attn->out_proj->weight);
    reference->out_proj->bias.copy_(attn->out_proj->bias);
  }
  at::Tensor x = at::randn({3, 7, 8});
  at::Tensor seq_first = x.transpose(0, 1);
  at::Tensor mask = at::full({7, 7}, -INFINITY).triu(1);
  at::Tensor expected =
      std::get<0>(reference->forward(seq_first, seq_first, seq_first, {}, false, mask)).transpose(0, 1);
  EXPECT_LT((attn->forward(x) - expected).abs().max().item<float>(), 1e-5f);
}

TEST(SelfAttention, CausalOutputsIgnoreLaterTokens) {
  SelfAttention attn = MakeAttention(/*causal=*/true, /*fused=*/true);
  at::Tensor x = at::randn({1, 6, 8});
  at::Tensor y = x.clone();
  y.select(1, 4).add_(3.0);  // change token 4 only
  at::Tensor a = attn->forward(x);
  at::Tensor b = attn->forward(y);
  EXPECT_EQ((a.narrow(1, 0, 4) - b.narrow(1, 0, 4)).abs().max().item<float>(), 0.0f);
  EXPECT_GT((a.narrow(1, 4, 2) - b.narrow(1, 4, 2)).abs().max().item<float>(), 1e-3f);
}

TEST(SelfAttention, WithoutMaskEveryTokenSeesLaterTokens) {
  SelfAttention attn = MakeAttention(/*causal=*/false, /*fused=*/true);
  at::Tensor x = at::randn({1, 6, 8});
  at::Tensor y = x.clone();
  y.select(1, 5).add_(3.0);
  EXPECT_GT((attn->forward(x).select(1, 0) - attn->forward(y).select(1, 0)).abs().max().item<float>(), 1e-4f);
}

TEST(SelfAttention, GradientMatchesFiniteDifferencesInDouble) {
  SelfAttention attn = MakeAttention(/*causal=*/true, /*fused=*/false);
  attn->to(at::kDouble);
  at::Tensor x = at::randn({1, 4, 8}, at::kDouble).requires_grad_(true);
  at::Tensor weights = at::randn({1, 4, 8}, at::kDouble);
  (attn->forward(x) * weights).sum().backward();
  at::Tensor grad = x.grad().clone();
  const double eps = 1e-6;
  at::NoGradGuard no_grad;
  for (int64_t t = 0; t < 4; ++t) {
    for (int64_t d = 0; d < 8; d += 3) {
      at::Tensor plus = x.detach().clone();
      at::Tensor minus = x.detach().clone();
      plus[0][t][d] += eps;
      minus[0][t][d] -= eps;
      const double numeric =
          ((attn->forward(plus) * weights).sum() - (attn->forward(minus) * weights).sum()).item<double>() / (2 * eps);
      EXPECT_NEAR(grad[0][t][d].item<double>(), numeric, 1e-6) << "token " << t << " dim " << d;
    }
  }
}

TEST(SelfAttention, FusedAndExplicitKernelsAgree) {
  if (!SelfAttentionImpl::FusedKernelAvailable()) {
    GTEST_SKIP() << "this LibTorch (< 2.0) has no scaled_dot_product_attention";
  }
  for (bool causal : {false, true}) {
    SelfAttention attn = MakeAttention(causal, /*fused=*/true);
    ASSERT_TRUE(attn->uses_fused_kernel());
    at::Tensor x = at::randn({2, 9, 8});
    at::Tensor fused = attn->forward(x);
    attn->set_fused(false);
    ASSERT_FALSE(attn->uses_fused_kernel());
    at::Tensor explicit_path = attn->forward(x);
    EXPECT_LT((fused - explicit_path).abs().max().item<float>(), 1e-5f) << "causal " << causal;
  }
}

TEST(SelfAttention, FusedRequestFallsBackWhereUnavailable) {
  SelfAttention attn = MakeAttention(/*causal=*/false, /*fused=*/true);
  EXPECT_EQ(attn->uses_fused_kernel(), SelfAttentionImpl::FusedKernelAvailable());
}

TEST(SelfAttention, RejectsWrongWidth) {
  SelfAttention attn(SelfAttentionOptions{8, 2});
  EXPECT_THROW(attn->forward(at::randn({1, 3, 6})), c10::Error);
  EXPECT_THROW(SelfAttention(SelfAttentionOptions{10, 3}), c10::Error);
}

}  // namespace
}  // namespace zegclip::clip
