#include "zegclip/clip/mlp.h"

#include "zegclip/nn/apply_linear.h"
#include "zegclip/nn/quick_gelu.h"

namespace zegclip::clip {

MlpImpl::MlpImpl(int64_t width) {
  TORCH_CHECK(width > 0, "Mlp: width must be positive, got ", width);
  c_fc = register_module("c_fc", torch::nn::Linear(width, 4 * width));
  c_proj = register_module("c_proj", torch::nn::Linear(4 * width, width));
}

at::Tensor MlpImpl::forward(const at::Tensor& x) {
  return nn::ApplyLinear(c_proj, nn::QuickGelu(nn::ApplyLinear(c_fc, x)));
}

}  // namespace zegclip::clip
