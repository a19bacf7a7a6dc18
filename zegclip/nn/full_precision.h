// A tensor in at least fp32: bf16 and fp16 activations (what autocast's matmuls return) become fp32, anything else
// (fp32, or the double the gradient tests run in) is returned as it is. Losses are computed this way, as the
// authors' force_fp32 losses: the NEL loss over sigmoids, the contrastive loss over a softmax of the batch.
//
// Example:
//   at::Tensor logits = FullPrecision(masks.back());   // bf16 under autocast -> fp32
#ifndef ZEGCLIP_NN_FULL_PRECISION_H_
#define ZEGCLIP_NN_FULL_PRECISION_H_

#include <ATen/ATen.h>

namespace zegclip::nn {

inline at::Tensor FullPrecision(const at::Tensor& x) {
  const at::ScalarType t = x.scalar_type();
  return t == at::kBFloat16 || t == at::kHalf ? x.to(at::kFloat) : x;
}

}  // namespace zegclip::nn

#endif  // ZEGCLIP_NN_FULL_PRECISION_H_
