#include "zegclip/train/cuda_autocast.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

namespace zegclip::train {
namespace {

TEST(CudaBf16Autocast, DisabledScopeChangesNothing) {
  const bool before = CudaBf16Autocast::Enabled();
  {
    CudaBf16Autocast autocast(false);
    EXPECT_FALSE(autocast.active());
    EXPECT_EQ(CudaBf16Autocast::Enabled(), before);
  }
  EXPECT_EQ(CudaBf16Autocast::Enabled(), before);
}

TEST(CudaBf16Autocast, CpuOnlyMachinesTrainInFp32) {
  if (at::hasCUDA()) GTEST_SKIP() << "CUDA present: see CudaMatmulRunsInBf16";
  CudaBf16Autocast autocast(true);
  EXPECT_FALSE(autocast.active());
  EXPECT_FALSE(CudaBf16Autocast::Enabled());
  const at::Tensor a = at::randn({4, 4});
  EXPECT_EQ(a.matmul(a).scalar_type(), at::kFloat);
}

TEST(CudaBf16Autocast, CudaMatmulRunsInBf16AndTheStateIsRestored) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA";
  const at::Tensor a = at::randn({8, 8}, at::TensorOptions().device(at::kCUDA));
  {
    CudaBf16Autocast outer(true);
    ASSERT_TRUE(outer.active());
    EXPECT_EQ(CudaBf16Autocast::Dtype(), at::kBFloat16);
    EXPECT_EQ(a.matmul(a).scalar_type(), at::kBFloat16);
    {
      CudaBf16Autocast inner(true);
      EXPECT_EQ(a.matmul(a).scalar_type(), at::kBFloat16);
    }
    EXPECT_TRUE(CudaBf16Autocast::Enabled());  // the inner scope restored the outer state
  }
  EXPECT_FALSE(CudaBf16Autocast::Enabled());
  EXPECT_EQ(a.matmul(a).scalar_type(), at::kFloat);
}

}  // namespace
}  // namespace zegclip::train
