// Test helper: checks autograd's gradient of a scalar function against central finite differences, in double.
//
// Example:
//   ExpectGradientMatchesFiniteDifferences([&](const at::Tensor& x) { return FocalLoss(x, t, {}, 2.0); }, logits);
#ifndef ZEGCLIP_LOSSES_GRADIENT_CHECK_TESTUTIL_H_
#define ZEGCLIP_LOSSES_GRADIENT_CHECK_TESTUTIL_H_

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace zegclip::losses {

// x must be double; f must return a scalar. Each element's derivative must agree within
// rtol·max(|analytic|, |numeric|) + atol (atol covers derivatives that are ~0, where relative error means nothing).
inline void ExpectGradientMatchesFiniteDifferences(const std::function<at::Tensor(const at::Tensor&)>& f,
                                                   const at::Tensor& x, double step = 1e-5, double rtol = 1e-6,
                                                   double atol = 1e-10) {
  ASSERT_EQ(x.scalar_type(), at::kDouble);
  at::Tensor leaf = x.detach().clone().requires_grad_();
  f(leaf).backward();
  ASSERT_TRUE(leaf.grad().defined());
  at::Tensor analytic = leaf.grad().contiguous().view(-1);
  at::Tensor base = x.detach().contiguous();
  double largest = 0.0;
  for (int64_t i = 0; i < base.numel(); ++i) {
    at::Tensor plus = base.clone(), minus = base.clone();
    plus.view(-1)[i] += step;
    minus.view(-1)[i] -= step;
    const double numeric = (f(plus).item<double>() - f(minus).item<double>()) / (2.0 * step);
    const double a = analytic[i].item<double>();
    largest = std::max(largest, std::abs(a));
    EXPECT_NEAR(a, numeric, rtol * std::max(std::abs(a), std::abs(numeric)) + atol) << "element " << i;
  }
  EXPECT_GT(largest, 1e-6) << "the gradient is ~0 everywhere: the check would be vacuous";
}

}  // namespace zegclip::losses

#endif  // ZEGCLIP_LOSSES_GRADIENT_CHECK_TESTUTIL_H_
