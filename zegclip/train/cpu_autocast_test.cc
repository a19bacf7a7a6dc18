#include "zegclip/train/cpu_autocast.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace zegclip::train {
namespace {

TEST(CpuBf16Autocast, DisabledScopeChangesNothing) {
  const bool before = CpuBf16Autocast::Enabled();
  {
    CpuBf16Autocast autocast(false);
    EXPECT_FALSE(autocast.active());
    EXPECT_EQ(CpuBf16Autocast::Enabled(), before);
    EXPECT_EQ(at::mm(at::ones({2, 3}), at::ones({3, 2})).scalar_type(), at::kFloat);
  }
  EXPECT_EQ(CpuBf16Autocast::Enabled(), before);
}

TEST(CpuBf16Autocast, MatmulRunsInBf16WhereSupportedAndTheStateIsRestored) {
  const at::Tensor a = at::randn({8, 16}), b = at::randn({16, 4});
  // The product of the bf16-rounded inputs, in fp32 (computed outside the scope).
  const at::Tensor rounded = at::mm(a.to(at::kBFloat16).to(at::kFloat), b.to(at::kBFloat16).to(at::kFloat));
  {
    CpuBf16Autocast outer(true);
    EXPECT_EQ(outer.active(), CpuBf16Autocast::Supported());
    // Without native bf16 the product stays fp32 (the step trains in fp32 there).
    const at::Tensor product = at::mm(a, b);
    EXPECT_EQ(product.scalar_type(), CpuBf16Autocast::Supported() ? at::kBFloat16 : at::kFloat);
    // bf16 precision (8 significant bits), well within 2 % of the largest value.
    EXPECT_LT((product.to(at::kFloat) - rounded).abs().max().item<double>(), 0.02 * rounded.abs().max().item<double>());
    // Elementwise work and reductions keep fp32.
    EXPECT_EQ((a + 1).sum().scalar_type(), at::kFloat);
    {
      CpuBf16Autocast inner(true);
      EXPECT_EQ(inner.active(), CpuBf16Autocast::Supported());
    }
    EXPECT_EQ(CpuBf16Autocast::Enabled(), CpuBf16Autocast::Supported());  // the inner scope restored the outer
  }
  EXPECT_FALSE(CpuBf16Autocast::Enabled());
  EXPECT_EQ(at::mm(a, b).scalar_type(), at::kFloat);
}

}  // namespace
}  // namespace zegclip::train
