#include "zegclip/nn/apply_linear.h"

#include <gtest/gtest.h>

namespace zegclip::nn {
namespace {

// The same map as LibTorch's module forward (which this replaces for speed) and as an explicit x Wᵀ + b, for 2-D and
// 3-D inputs, with gradients to the weight and bias.
TEST(ApplyLinear, EqualsTheModuleAndTheFormula) {
  at::manual_seed(0);
  torch::nn::Linear layer(8, 5);
  for (const at::Tensor& x : {at::randn({4, 8}), at::randn({3, 7, 8})}) {
    const at::Tensor y = ApplyLinear(layer, x);
    EXPECT_EQ(y.sizes().vec(), layer(x).sizes().vec());
    EXPECT_TRUE(at::allclose(y, layer(x), 1e-6, 1e-6));
    EXPECT_TRUE(at::allclose(y, at::matmul(x, layer->weight.t()) + layer->bias, 1e-6, 1e-6));
  }
  ApplyLinear(layer, at::ones({2, 3, 8})).sum().backward();
  EXPECT_TRUE(at::allclose(layer->bias.grad(), at::full({5}, 6.0)));
  EXPECT_TRUE(at::allclose(layer->weight.grad(), at::full({5, 8}, 6.0)));
}

TEST(ApplyLinear, WithoutBias) {
  torch::nn::Linear layer(torch::nn::LinearOptions(3, 2).bias(false));
  const at::Tensor x = at::randn({2, 2, 3});
  EXPECT_TRUE(at::allclose(ApplyLinear(layer, x), at::matmul(x, layer->weight.t()), 1e-6, 1e-6));
}

}  // namespace
}  // namespace zegclip::nn
