// Evaluates a segmentation model on a dataset: whole-image or sliding-window logits, per-class scores (sigmoid for
// NEL, softmax for EL), seen-class calibration, predictions resized to the label's resolution, a confusion matrix
// summed over data-parallel ranks, the zero-shot metrics, and a few example predictions for the report.
//
// The model enters as a LogitsFn (images → per-class logits at the images' size), so the trained ZegCLIP and the
// training-free dense-similarity baseline share this code.
//
// Example:
//   EvaluatorOptions options;  options.split = split;  options.mode = EvalMode::kSlide;
//   absl::StatusOr<EvalResult> r = Evaluate(*val_dataset, TestPipeline(t), logits_fn, comm, options);
//   r->metrics.hiou;
#ifndef ZEGCLIP_EVAL_SEGMENTATION_EVALUATOR_H_
#define ZEGCLIP_EVAL_SEGMENTATION_EVALUATOR_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/loader.h"
#include "data/sample.h"
#include "zegclip/dist/communicator.h"
#include "zegclip/eval/confusion_matrix.h"
#include "zegclip/eval/segmentation_metrics.h"
#include "zegclip/model/sliding_window.h"
#include "zegclip/model/zero_shot_setting.h"

namespace zegclip::eval {

enum class EvalMode { kWhole, kSlide };
enum class ScoreKind { kSigmoid, kSoftmax };

struct EvaluatorOptions {
  model::ZeroShotSplit split;
  EvalMode mode = EvalMode::kWhole;
  int64_t crop = 512;    // sliding window
  int64_t stride = 426;
  ScoreKind scores = ScoreKind::kSigmoid;
  double seen_offset = 0.1;  // subtracted from seen scores in the inductive setting
  int64_t max_images = 0;    // 0 = all
  int64_t batch_size = 8;    // images of equal size are batched
  int64_t examples = 0;      // keep this many (rank 0's first images) for the report
};

struct Example {
  std::string id;
  at::Tensor image;  // uint8 (H, W, 3) as read
  at::Tensor label;  // uint8 (H, W)
  at::Tensor pred;   // uint8 (H, W)
};

struct EvalResult {
  SegmentationMetrics metrics;
  at::Tensor counts;  // (C, C) int64, summed over ranks
  int64_t images = 0; // over all ranks
  std::vector<Example> examples;
};

// Rank r evaluates images r, r + W, ... (no padding, so every image counts exactly once).
absl::StatusOr<EvalResult> Evaluate(const data::Dataset& dataset, const data::SampleTransform& pipeline,
                                    const model::LogitsFn& logits_fn, dist::Communicator& comm,
                                    const EvaluatorOptions& options);

// Scores the data once and evaluates every candidate seen-score offset on them: (offset, hIoU) pairs, for choosing
// the calibration on a held-out labelled split instead of assuming the paper's 0.1.
absl::StatusOr<std::vector<std::pair<double, double>>> SweepSeenOffset(
    const data::Dataset& dataset, const data::SampleTransform& pipeline, const model::LogitsFn& logits_fn,
    dist::Communicator& comm, EvaluatorOptions options, const std::vector<double>& candidates);

// Writes examples as <dir>/<k>_image.ppm, _label.pgm, _pred.pgm (what tools/report/make_report.py reads).
absl::Status WriteExamples(const std::vector<Example>& examples, const std::string& dir);

}  // namespace zegclip::eval

#endif  // ZEGCLIP_EVAL_SEGMENTATION_EVALUATOR_H_
