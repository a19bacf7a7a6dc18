// Evaluates a segmentation model on a dataset: per-class scores from the one inference path (model/inference.h:
// whole or sliding window, sigmoid for NEL or softmax for EL, seen-class calibration, window scores averaged),
// resized to the label's resolution, a confusion matrix summed over data-parallel ranks, the zero-shot metrics, and a
// few example predictions for the report.
//
// The model enters as a LogitsFn (images → per-class mask logits), so the trained ZegCLIP and the training-free
// dense-similarity baseline share this code.
//
// Example:
//   EvaluatorOptions options;  options.split = split;  options.inference.mode = model::InferenceMode::kSlide;
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
#include "zegclip/distributed/communicator.h"
#include "zegclip/eval/confusion_matrix.h"
#include "zegclip/eval/segmentation_metrics.h"
#include "zegclip/model/inference.h"
#include "zegclip/model/zero_shot_setting.h"

namespace zegclip::eval {

struct EvaluatorOptions {
  model::ZeroShotSplit split;
  // Mode, window, size divisor and score kind; its offset fields are set here from `split` and `seen_offset`.
  model::InferenceOptions inference;
  double seen_offset = 0.1;  // subtracted from the scores of model::CalibratedClasses(split)
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
                                    const model::LogitsFn& logits_fn, distributed::Communicator& comm,
                                    const EvaluatorOptions& options);

// Scores the data once and evaluates every candidate seen-score offset on them: (offset, hIoU) pairs, for choosing
// the calibration on a held-out labelled split instead of assuming the paper's 0.1. The offset is subtracted after
// averaging and resizing here, which equals subtracting it per window: both are averages with weights summing to 1.
absl::StatusOr<std::vector<std::pair<double, double>>> SweepSeenOffset(
    const data::Dataset& dataset, const data::SampleTransform& pipeline, const model::LogitsFn& logits_fn,
    distributed::Communicator& comm, EvaluatorOptions options, const std::vector<double>& candidates);

// Writes examples as <dir>/<k>_image.ppm, _label.pgm, _pred.pgm (what tools/report/make_report.py reads).
absl::Status WriteExamples(const std::vector<Example>& examples, const std::string& dir);

}  // namespace zegclip::eval

#endif  // ZEGCLIP_EVAL_SEGMENTATION_EVALUATOR_H_
