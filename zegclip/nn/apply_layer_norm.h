// LayerNorm computed in its parameters' dtype (fp32) whatever the input's, as OpenAI CLIP's LayerNorm subclass and
// CUDA autocast (which lists layer_norm among its fp32 ops) both do; the result is in that dtype. LibTorch 1.13's CPU
// autocast leaves layer_norm alone, so without this a bf16 activation meets the fp32 weights ("expected scalar type
// BFloat16 but found Float"). In fp32 the cast is a no-op.
//
// Example:
//   at::Tensor y = ApplyLayerNorm(ln_1, x);   // x bf16 or fp32 -> y fp32
#ifndef ZEGCLIP_NN_APPLY_LAYER_NORM_H_
#define ZEGCLIP_NN_APPLY_LAYER_NORM_H_

#include <ATen/ATen.h>
#include <torch/nn/modules/normalization.h>

namespace zegclip::nn {

// `layer` by value: a module holder is a shared pointer, and its forward is not const.
inline at::Tensor ApplyLayerNorm(torch::nn::LayerNorm layer, const at::Tensor& x) {
  const at::ScalarType dtype = layer->weight.defined() ? layer->weight.scalar_type() : at::kFloat;
  return layer(x.scalar_type() == dtype ? x : x.to(dtype));
}

}  // namespace zegclip::nn

#endif  // ZEGCLIP_NN_APPLY_LAYER_NORM_H_
