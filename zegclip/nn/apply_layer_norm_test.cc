#include "zegclip/nn/apply_layer_norm.h"

#include <gtest/gtest.h>

namespace zegclip::nn {
namespace {

TEST(ApplyLayerNorm, NormalisesInTheWeightsDtype) {
  torch::nn::LayerNorm ln(torch::nn::LayerNormOptions({8}));
  at::manual_seed(2);
  const at::Tensor x = at::randn({3, 8}) * 5 + 2;
  // fp32: the module itself.
  EXPECT_TRUE(ApplyLayerNorm(ln, x).equal(ln(x)));
  // bf16 input: normalised in fp32 from the bf16 values (the module would refuse the mix).
  const at::Tensor half = x.to(at::kBFloat16);
  const at::Tensor y = ApplyLayerNorm(ln, half);
  EXPECT_EQ(y.scalar_type(), at::kFloat);
  EXPECT_TRUE(y.equal(ln(half.to(at::kFloat))));
  EXPECT_NEAR(y.mean(-1).abs().max().item<double>(), 0, 1e-6);
  EXPECT_THROW(ln(half), c10::Error);
}

}  // namespace
}  // namespace zegclip::nn
