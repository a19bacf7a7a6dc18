// Seen-score calibration on a held-out split (eval.calibration_split): the eval.offset_candidates entry of best hIoU
// there is chosen and then used for the final evaluation on val, so the reported numbers are not tuned on the split
// they are measured on. Used by FinalEvaluation (eval_command.cc).
//
// Example:
//   absl::StatusOr<CalibratedEvaluation> r = EvaluateWithSeenCalibration(e, val, pipeline, logits_fn, comm, options);
//   r->seen_offset;   // the offset val was evaluated with; r->calibration says how it was chosen
//   RecordCalibration(*r, record);   // into eval.json
#ifndef ZEGCLIP_ENGINE_SEEN_OFFSET_CALIBRATION_H_
#define ZEGCLIP_ENGINE_SEEN_OFFSET_CALIBRATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "data/sample.h"
#include "data/transforms.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"
#include "zegclip/eval/segmentation_evaluator.h"
#include "zegclip/model/inference.h"
#include "zegclip/report/eval_record.h"

namespace zegclip::engine {

// The seen-score offset chosen on a held-out labelled split.
struct OffsetCalibration {
  std::string split;
  int64_t images = 0;
  std::vector<std::pair<double, double>> hiou_at_offset;  // (offset, hIoU) on the split, in the candidates' order
  double offset = 0;                                      // the chosen offset and its hIoU there
  double hiou = 0;
};

struct CalibrationOptions {
  std::string split;               // the held-out split's name, for the record
  int64_t max_images = 0;          // of the held-out split; 0 = all
  std::vector<double> candidates;  // eval.offset_candidates
};

// Scores `held_out` once and chooses the candidate of best hIoU there; ties go to the smallest offset (the least
// change to the model's scores). Fails, naming the split, when no candidate's hIoU is a number (the split lacks
// labelled seen or unseen pixels).
absl::StatusOr<OffsetCalibration> ChooseSeenOffset(const data::Dataset& held_out, const data::SampleTransform& pipeline,
                                                   const model::LogitsFn& logits_fn, distributed::Communicator& comm,
                                                   eval::EvaluatorOptions options,
                                                   const CalibrationOptions& calibration);

struct CalibratedEvaluation {
  eval::EvalResult result;                      // on val
  double seen_offset = 0;                       // the offset `result` was measured with
  std::optional<OffsetCalibration> calibration; // how it was chosen, when a held-out split chose it
};

// Evaluates `val` with options.seen_offset, or, given a held-out split, with the offset ChooseSeenOffset picks there.
absl::StatusOr<CalibratedEvaluation> EvaluateCalibrated(const data::Dataset& val, const data::Dataset* held_out,
                                                        const data::SampleTransform& pipeline,
                                                        const model::LogitsFn& logits_fn, distributed::Communicator& comm,
                                                        const eval::EvaluatorOptions& options,
                                                        const CalibrationOptions& calibration);

// FinalEvaluation's evaluation of `val`: with eval.calibration_split set, the offset is chosen on that split
// (MakeCalibrationDataset) and the choice printed as one line; otherwise model.seen_score_offset (options) is used.
absl::StatusOr<CalibratedEvaluation> EvaluateWithSeenCalibration(const config::Experiment& experiment,
                                                                 const data::Dataset& val,
                                                                 const data::SampleTransform& pipeline,
                                                                 const model::LogitsFn& logits_fn,
                                                                 distributed::Communicator& comm,
                                                                 const eval::EvaluatorOptions& options);

// The offset used and, when a held-out split chose it, the calibration's numbers, into the eval.json record.
void RecordCalibration(const CalibratedEvaluation& evaluation, report::EvalRecord& record);

// An offset as the config wrote it: the offsets are float fields, so 0.1 arrives as 0.10000000149011612; the record
// keeps the decimal the float stands for (7 significant digits), 0.1.
double AsConfigured(double offset);

// "calibration on calib (200 images): chose offset 0.03 (hIoU 52.13)"
std::string FormatCalibration(const OffsetCalibration& calibration);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_SEEN_OFFSET_CALIBRATION_H_
