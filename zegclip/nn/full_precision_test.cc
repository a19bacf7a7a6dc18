#include "zegclip/nn/full_precision.h"

#include <gtest/gtest.h>

namespace zegclip::nn {
namespace {

TEST(FullPrecision, ReducedTypesBecomeFloatOthersStay) {
  const at::Tensor x = at::tensor({1.5, -2.25});  // exact in bf16 and fp16
  EXPECT_EQ(FullPrecision(x.to(at::kBFloat16)).scalar_type(), at::kFloat);
  EXPECT_EQ(FullPrecision(x.to(at::kHalf)).scalar_type(), at::kFloat);
  EXPECT_TRUE(FullPrecision(x.to(at::kBFloat16)).equal(x.to(at::kFloat)));
  const at::Tensor d = x.to(at::kDouble), f = x.to(at::kFloat);
  EXPECT_TRUE(FullPrecision(d).is_same(d));  // no copy
  EXPECT_TRUE(FullPrecision(f).is_same(f));
}

}  // namespace
}  // namespace zegclip::nn
