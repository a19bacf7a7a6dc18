// The one inference path: a model's mask logits → per-class scores → labels, in exactly the order of the authors'
// test.py (ZegCLIP.slide_inference / encode_decode, ATMSingleHeadSeg.semantic_inference, mmseg's inference):
//   per window:  mask logits → bilinear upsample to the window → sigmoid (NEL) or softmax over classes (EL)
//                → minus the seen-class offset (the inductive calibration; 0 in the transductive setting)
//   then:        average the window SCORES where windows overlap → resize to the image (bilinear,
//                align_corners = false) → argmax.
// Averaging scores is not averaging logits: where two windows disagree, sigmoid(mean) and mean(sigmoid) can pick
// different classes. The evaluator, `segment`, the quickstart, sweeps and the benchmarks all come through here, and
// ScoresFromLogits is the only place the sigmoid/softmax rule is written.
//
// Example (the recipe's VOC test on one image, 15 seen classes calibrated by 0.1):
//   InferenceOptions o;  o.mode = InferenceMode::kSlide;  o.crop = 512;  o.stride = 426;
//   o.offset_classes = split.seen;  o.seen_offset = 0.1;
//   at::Tensor scores = ResizeScores(Scores(logits_fn, image, o), label_h, label_w);   // (1, C, H, W)
//   at::Tensor labels = LabelsFromScores(scores);                                       // (1, H, W) int64
#ifndef ZEGCLIP_MODEL_INFERENCE_H_
#define ZEGCLIP_MODEL_INFERENCE_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace zegclip::model {

// Maps images (B, 3, h, w) to per-class mask logits (B, C, h', w') at any resolution (the decoder's patch grid, or
// already upsampled): Scores upsamples them to each window.
using LogitsFn = std::function<at::Tensor(const at::Tensor&)>;

enum class InferenceMode { kWhole, kSlide };
// kSigmoid: NEL (classes scored independently); kSoftmax: EL (one distribution over the queried classes).
enum class ScoreKind { kSigmoid, kSoftmax };

struct InferenceOptions {
  InferenceMode mode = InferenceMode::kWhole;
  int64_t crop = 512;        // slide: window side
  int64_t stride = 426;      // slide: step between windows
  int64_t size_divisor = 1;  // whole: the image is zero-padded to a multiple of this (the patch size), then cut back
  ScoreKind score = ScoreKind::kSigmoid;
  // Class indices (along dim 1) whose scores `seen_offset` is subtracted from: the seen classes in the inductive
  // setting, none otherwise (the authors' transductive test uses 0).
  std::vector<int64_t> offset_classes;
  double seen_offset = 0;
};

// Sigmoid (NEL) or softmax over dim 1 (EL) of logits (B, C, ...).
at::Tensor ScoresFromLogits(const at::Tensor& logits, ScoreKind kind);

// scores (B, C, ...) with `offset` subtracted from the listed classes; the others unchanged (bit for bit).
at::Tensor SubtractSeenOffset(const at::Tensor& scores, const std::vector<int64_t>& classes, double offset);

// One window: logits (B, C, h', w') → upsampled to (height, width) → scores → seen offset. float32.
at::Tensor WindowScores(const at::Tensor& logits, int64_t height, int64_t width, const InferenceOptions& options);

// Scores (B, C, H, W) at the images' size, float32, on the device the logits come back on. Slide: every window of
// SlidingWindows (a window cut by the border of an image smaller than the crop is zero-padded to the crop, so the
// model sees its test size; the authors' resize to min_size keeps their windows full); overlapping scores averaged.
at::Tensor Scores(const LogitsFn& logits_fn, const at::Tensor& images, const InferenceOptions& options);

// Scores resized to (height, width): bilinear, align_corners = false (mmseg's rescale to the original shape).
at::Tensor ResizeScores(const at::Tensor& scores, int64_t height, int64_t width);

// argmax over classes: (B, C, H, W) → (B, H, W) int64. mmseg applies a softmax first, which cannot move an argmax.
at::Tensor LabelsFromScores(const at::Tensor& scores);

}  // namespace zegclip::model

#endif  // ZEGCLIP_MODEL_INFERENCE_H_
