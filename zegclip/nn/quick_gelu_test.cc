#include "zegclip/nn/quick_gelu.h"

#include <gtest/gtest.h>
#include <torch/autograd.h>

#include <cmath>

namespace zegclip::nn {
namespace {

// Inputs over the range MLP activations take, plus the saturated tails where σ(1.702 x) is 0 or 1.
at::Tensor Inputs(at::ScalarType dtype) {
  at::manual_seed(7);
  at::Tensor x = at::randn({3, 17, 40}, at::kDouble) * 3;
  x.view(-1).narrow(0, 0, 4).copy_(at::tensor({-60.0, -20.0, 20.0, 60.0}, at::kDouble));
  return x.to(dtype);
}

// The input's gradient under upstream gradient g, and the output.
std::pair<at::Tensor, at::Tensor> GradOf(at::Tensor (*f)(const at::Tensor&), const at::Tensor& x0,
                                         const at::Tensor& g) {
  at::Tensor x = x0.detach().clone().requires_grad_(true);
  at::Tensor y = f(x);
  y.backward(g);
  return {x.grad(), y.detach()};
}

// The exact derivative, written out independently of both implementations: d/dx x σ(kx) = σ + k x σ (1 - σ).
at::Tensor AnalyticGrad(const at::Tensor& x, const at::Tensor& g) {
  const at::Tensor xd = x.to(at::kDouble);
  const at::Tensor s = at::sigmoid(1.702 * xd);
  return g.to(at::kDouble) * (s + 1.702 * xd * s * (1 - s));
}

TEST(QuickGelu, ForwardIsBitIdenticalToTheComposedOps) {
  for (at::ScalarType t : {at::kFloat, at::kBFloat16, at::kDouble}) {
    const at::Tensor x = Inputs(t).requires_grad_(true);
    EXPECT_TRUE(QuickGelu(x).equal(ComposedQuickGelu(x))) << t;
    at::NoGradGuard no_grad;
    EXPECT_TRUE(QuickGelu(x).equal(ComposedQuickGelu(x))) << t;
  }
}

TEST(QuickGelu, GradientMatchesAutogradAndTheAnalyticDerivative) {
  for (at::ScalarType t : {at::kDouble, at::kFloat}) {
    const at::Tensor x = Inputs(t);
    const at::Tensor g = at::randn(x.sizes(), x.options());
    const at::Tensor fused = GradOf(QuickGelu, x, g).first;
    const at::Tensor composed = GradOf(ComposedQuickGelu, x, g).first;
    const double tol = t == at::kDouble ? 1e-12 : 2e-6;
    EXPECT_TRUE(at::allclose(fused, composed, tol, tol)) << t << " " << (fused - composed).abs().max();
    EXPECT_TRUE(at::allclose(fused.to(at::kDouble), AnalyticGrad(x, g), tol, tol)) << t;
    EXPECT_TRUE(fused.isfinite().all().item<bool>());
  }
}

TEST(QuickGelu, Bf16GradientIsRoundedOnceFromFp32) {
  const at::Tensor x = Inputs(at::kBFloat16);
  const at::Tensor g = at::randn(x.sizes()).to(at::kBFloat16);
  const at::Tensor fused = GradOf(QuickGelu, x, g).first;
  ASSERT_EQ(fused.scalar_type(), at::kBFloat16);
  // The derivative from the values the forward saved (x and its bf16 sigmoid), evaluated exactly, then rounded once
  // to bf16: within half a bf16 ulp (2^-8 relative: 8 significant bits) plus the fp32 arithmetic's own error, which
  // is relative to the terms' size, not the result's (1 + 1.702 x (1 - s) cancels near x = -0.75, where the
  // derivative is 0).
  const at::Tensor s = at::sigmoid(at::mul(x, 1.702)).to(at::kDouble);
  const at::Tensor xd = x.to(at::kDouble);
  const at::Tensor once = g.to(at::kDouble) * s * (1 + 1.702 * xd * (1 - s));
  const at::Tensor err_once = (fused.to(at::kDouble) - once).abs();
  const at::Tensor terms = (g.to(at::kDouble) * s).abs() * (1 + 1.702 * xd.abs() * (1 - s));
  EXPECT_TRUE((err_once <= once.abs() * std::ldexp(1.0, -8) + terms * 1e-6).all().item<bool>()) << err_once.max();
  // Against the true derivative, the composed ops (rounding after each of their five steps) are not closer.
  const at::Tensor exact = AnalyticGrad(x, g);
  const at::Tensor err = (fused.to(at::kDouble) - exact).abs();
  const at::Tensor composed = GradOf(ComposedQuickGelu, x, g).first;
  const double fused_err = err.sum().item<double>();
  const double composed_err = (composed.to(at::kDouble) - exact).abs().sum().item<double>();
  EXPECT_LE(fused_err, composed_err);
}

TEST(QuickGelu, FiniteDifferences) {
  const at::Tensor x = (at::randn({5, 6}, at::kDouble) * 2).requires_grad_(true);
  const at::Tensor y = QuickGelu(x).sum();
  const at::Tensor grad = torch::autograd::grad({y}, {x})[0];
  const double h = 1e-6;
  for (int64_t i = 0; i < x.numel(); ++i) {
    at::Tensor plus = x.detach().clone(), minus = x.detach().clone();
    plus.view(-1)[i] += h;
    minus.view(-1)[i] -= h;
    const double fd =
        (ComposedQuickGelu(plus).sum().item<double>() - ComposedQuickGelu(minus).sum().item<double>()) / (2 * h);
    EXPECT_NEAR(grad.view(-1)[i].item<double>(), fd, 1e-7) << i;
  }
}

TEST(QuickGelu, NonContiguousInputAndGradient) {
  const at::Tensor base = Inputs(at::kFloat);
  const at::Tensor x = base.transpose(0, 2);  // a view with strides, as a permuted activation would be
  const at::Tensor g = at::randn(x.sizes()).transpose(1, 2).contiguous().transpose(1, 2);
  const auto [fused, y] = GradOf(QuickGelu, x, g);
  const auto [composed, y_ref] = GradOf(ComposedQuickGelu, x, g);
  EXPECT_TRUE(y.equal(y_ref));
  EXPECT_TRUE(at::allclose(fused, composed, 2e-6, 2e-6));
}

TEST(QuickGelu, RefusesASecondDerivative) {
  const at::Tensor x = Inputs(at::kDouble).requires_grad_(true);
  const at::Tensor y = QuickGelu(x).sum();
  EXPECT_THROW(torch::autograd::grad({y}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true), c10::Error);
}

}  // namespace
}  // namespace zegclip::nn
