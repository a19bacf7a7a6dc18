#include "zegclip/model/inference.h"

#include <ATen/ops/constant_pad_nd.h>
#include <c10/util/Exception.h>
#include <torch/nn/functional/upsampling.h>

#include "zegclip/model/sliding_window.h"

namespace zegclip::model {
namespace {

at::Tensor Bilinear(const at::Tensor& x, int64_t height, int64_t width) {
  if (x.size(2) == height && x.size(3) == width) return x;
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{height, width})
                               .mode(torch::kBilinear)
                               .align_corners(false));
}

// Zero-pads images (B, 3, h, w) at the bottom and right to (height, width): zero is the mean colour once normalised,
// as mmseg's Pad after Normalize.
at::Tensor PadTo(const at::Tensor& images, int64_t height, int64_t width) {
  const int64_t h = images.size(2), w = images.size(3);
  if (h == height && w == width) return images;
  return at::constant_pad_nd(images, {0, width - w, 0, height - h}, 0);
}

// The model on a (possibly padded) window: scores at the padded size, cut back to the window's own h x w.
at::Tensor ScoresOfWindow(const LogitsFn& logits_fn, const at::Tensor& window, int64_t padded_h, int64_t padded_w,
                          const InferenceOptions& options) {
  const int64_t h = window.size(2), w = window.size(3);
  const at::Tensor logits = logits_fn(PadTo(window, padded_h, padded_w));
  TORCH_CHECK(logits.dim() == 4 && logits.size(0) == window.size(0),
              "the model must return mask logits (B, C, h, w) for B images, got ", logits.sizes());
  return WindowScores(logits, padded_h, padded_w, options).slice(2, 0, h).slice(3, 0, w);
}

at::Tensor WholeScores(const LogitsFn& logits_fn, const at::Tensor& images, const InferenceOptions& options) {
  const int64_t d = options.size_divisor;
  TORCH_CHECK(d > 0, "size_divisor must be positive, got ", d);
  const int64_t h = images.size(2), w = images.size(3);
  return ScoresOfWindow(logits_fn, images, (h + d - 1) / d * d, (w + d - 1) / d * d, options);
}

at::Tensor SlideScores(const LogitsFn& logits_fn, const at::Tensor& images, const InferenceOptions& options) {
  const int64_t height = images.size(2), width = images.size(3);
  at::Tensor sum, count;
  for (const Window& win : SlidingWindows(height, width, options.crop, options.stride)) {
    const at::Tensor window = images.slice(2, win.y1, win.y2).slice(3, win.x1, win.x2);
    const at::Tensor scores = ScoresOfWindow(logits_fn, window, options.crop, options.crop, options);
    if (!sum.defined()) {
      sum = at::zeros({images.size(0), scores.size(1), height, width}, scores.options());
      count = at::zeros({1, 1, height, width}, scores.options());
    }
    sum.slice(2, win.y1, win.y2).slice(3, win.x1, win.x2) += scores;
    count.slice(2, win.y1, win.y2).slice(3, win.x1, win.x2) += 1;
  }
  return sum / count;
}

}  // namespace

at::Tensor ScoresFromLogits(const at::Tensor& logits, ScoreKind kind) {
  return kind == ScoreKind::kSigmoid ? logits.sigmoid() : logits.softmax(1);
}

at::Tensor SubtractSeenOffset(const at::Tensor& scores, const std::vector<int64_t>& classes, double offset) {
  if (classes.empty() || offset == 0) return scores;
  for (int64_t c : classes) {
    TORCH_CHECK(c >= 0 && c < scores.size(1), "offset class ", c, " is not one of the ", scores.size(1), " classes");
  }
  // As the authors' `mask_pred[:, seen_idx] -= weight`: only the listed classes are touched.
  const at::Tensor index = at::tensor(at::ArrayRef<int64_t>(classes), at::kLong).to(scores.device());
  at::Tensor out = scores.clone();
  out.index_copy_(1, index, scores.index_select(1, index) - offset);
  return out;
}

at::Tensor WindowScores(const at::Tensor& logits, int64_t height, int64_t width, const InferenceOptions& options) {
  const at::Tensor upsampled = Bilinear(logits.to(at::kFloat), height, width);
  return SubtractSeenOffset(ScoresFromLogits(upsampled, options.score), options.offset_classes, options.seen_offset);
}

at::Tensor Scores(const LogitsFn& logits_fn, const at::Tensor& images, const InferenceOptions& options) {
  TORCH_CHECK(images.dim() == 4, "images must be (B, 3, H, W), got ", images.sizes());
  return options.mode == InferenceMode::kSlide ? SlideScores(logits_fn, images, options)
                                               : WholeScores(logits_fn, images, options);
}

at::Tensor ResizeScores(const at::Tensor& scores, int64_t height, int64_t width) {
  return Bilinear(scores, height, width);
}

at::Tensor LabelsFromScores(const at::Tensor& scores) { return scores.argmax(1); }

}  // namespace zegclip::model
