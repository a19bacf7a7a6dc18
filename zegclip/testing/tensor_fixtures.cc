#include "zegclip/testing/tensor_fixtures.h"

#include <ATen/CPUGeneratorImpl.h>

namespace zegclip::testing {

at::Tensor SomeLabels() {
  return at::tensor({0, 1, 1, 255, 2, 0, 0, 1, 255, 2, 2, 0,  //
                     1, 1, 0, 0, 255, 255, 0, 1, 1, 1, 0, 0},
                    at::kLong)
      .view({2, 3, 4});
}

at::Tensor TestImages(int64_t batch, int64_t height, int64_t width, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return at::randn({batch, 3, height, width}, gen, at::TensorOptions().dtype(at::kFloat));
}

}  // namespace zegclip::testing
