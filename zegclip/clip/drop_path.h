// Stochastic depth ("drop path", timm semantics): in training, each sample's residual branch is zeroed with
// probability p and the survivors are scaled by 1/(1-p), so the expectation is unchanged; identity otherwise.
//
// Example:
//   x = x + DropPath(branch(x), /*p=*/0.1, is_training());   // branch(x): (B, ...)
#ifndef ZEGCLIP_CLIP_DROP_PATH_H_
#define ZEGCLIP_CLIP_DROP_PATH_H_

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

namespace zegclip::clip {

// x: (B, ...). One Bernoulli(1 - p) draw per sample (dim 0), broadcast over the other dims.
at::Tensor DropPath(const at::Tensor& x, double p, bool training);

// The per-block probabilities timm and the ZegCLIP authors use: linspace(0, max_rate, layers).
std::vector<double> DropPathSchedule(double max_rate, int64_t layers);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_DROP_PATH_H_
