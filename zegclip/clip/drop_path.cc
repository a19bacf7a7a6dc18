#include "zegclip/clip/drop_path.h"

#include <vector>

namespace zegclip::clip {

at::Tensor DropPath(const at::Tensor& x, double p, bool training) {
  TORCH_CHECK(p >= 0.0 && p < 1.0, "DropPath: probability must be in [0, 1), got ", p);
  if (!training || p == 0.0) return x;
  const double keep = 1.0 - p;
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[0] = x.size(0);
  at::Tensor mask = at::empty(shape, x.options()).bernoulli_(keep);
  return x * (mask / keep);
}

std::vector<double> DropPathSchedule(double max_rate, int64_t layers) {
  std::vector<double> rates(static_cast<size_t>(layers), 0.0);
  for (int64_t i = 1; i < layers; ++i) {
    rates[static_cast<size_t>(i)] = max_rate * static_cast<double>(i) / static_cast<double>(layers - 1);
  }
  return rates;
}

}  // namespace zegclip::clip
