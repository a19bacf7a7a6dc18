#include "zegclip/engine/seen_offset_calibration.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "zegclip/engine/dataset_factory.h"
#include "zegclip/engine/experiment_options.h"

namespace zegclip::engine {

absl::StatusOr<OffsetCalibration> ChooseSeenOffset(const data::Dataset& held_out, const data::SampleTransform& pipeline,
                                                   const model::LogitsFn& logits_fn, distributed::Communicator& comm,
                                                   eval::EvaluatorOptions options,
                                                   const CalibrationOptions& calibration) {
  options.max_images = calibration.max_images;
  options.examples = 0;
  absl::StatusOr<std::vector<std::pair<double, double>>> sweep =
      eval::SweepSeenOffset(held_out, pipeline, logits_fn, comm, options, calibration.candidates);
  if (!sweep.ok()) return sweep.status();
  OffsetCalibration out;
  out.split = calibration.split;
  out.images = calibration.max_images > 0 ? std::min(calibration.max_images, held_out.size()) : held_out.size();
  out.hiou_at_offset = *sweep;
  bool found = false;
  for (const auto& [offset, hiou] : *sweep) {
    if (std::isnan(hiou)) continue;
    if (!found || hiou > out.hiou || (hiou == out.hiou && offset < out.offset)) {
      out.offset = offset;
      out.hiou = hiou;
      found = true;
    }
  }
  if (!found) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "eval.calibration_split '%s': no offset candidate has an hIoU on its %d images (it needs labelled seen and "
        "unseen pixels)", calibration.split, out.images));
  }
  return out;
}

absl::StatusOr<CalibratedEvaluation> EvaluateCalibrated(const data::Dataset& val, const data::Dataset* held_out,
                                                        const data::SampleTransform& pipeline,
                                                        const model::LogitsFn& logits_fn, distributed::Communicator& comm,
                                                        const eval::EvaluatorOptions& options,
                                                        const CalibrationOptions& calibration) {
  CalibratedEvaluation out;
  eval::EvaluatorOptions on_val = options;
  if (held_out != nullptr) {
    absl::StatusOr<OffsetCalibration> chosen =
        ChooseSeenOffset(*held_out, pipeline, logits_fn, comm, options, calibration);
    if (!chosen.ok()) return chosen.status();
    on_val.seen_offset = chosen->offset;
    out.calibration = *chosen;
  }
  absl::StatusOr<eval::EvalResult> result = eval::Evaluate(val, pipeline, logits_fn, comm, on_val);
  if (!result.ok()) return result.status();
  out.result = *std::move(result);
  out.seen_offset = on_val.seen_offset;
  return out;
}

std::string FormatCalibration(const OffsetCalibration& c) {
  return absl::StrFormat("calibration on %s (%d images): chose offset %g (hIoU %.2f)", c.split, c.images, c.offset,
                         c.hiou);
}

absl::StatusOr<CalibratedEvaluation> EvaluateWithSeenCalibration(const config::Experiment& e,
                                                                 const data::Dataset& val,
                                                                 const data::SampleTransform& pipeline,
                                                                 const model::LogitsFn& logits_fn,
                                                                 distributed::Communicator& comm,
                                                                 const eval::EvaluatorOptions& options) {
  const config::EvalConfig& config = e.eval();
  CalibrationOptions calibration{config.calibration_split(), config.calibration_images(),
                                 {config.offset_candidates().begin(), config.offset_candidates().end()}};
  std::shared_ptr<const data::Dataset> held_out;
  if (!calibration.split.empty()) {
    absl::StatusOr<std::shared_ptr<const data::Dataset>> made = MakeCalibrationDataset(e);
    if (!made.ok()) return made.status();
    held_out = *made;
  }
  absl::StatusOr<CalibratedEvaluation> out =
      EvaluateCalibrated(val, held_out.get(), pipeline, logits_fn, comm, options, calibration);
  if (!out.ok()) return out.status();
  if (out->calibration && comm.is_main()) {
    std::cout << FormatCalibration(*out->calibration) << std::endl;  // before the report script's output
  }
  return out;
}

double AsConfigured(double offset) {
  double decimal = offset;
  return absl::SimpleAtod(absl::StrFormat("%.7g", offset), &decimal) ? decimal : offset;
}

void RecordCalibration(const CalibratedEvaluation& evaluation, report::EvalRecord& record) {
  record.seen_score_offset = AsConfigured(evaluation.seen_offset);
  if (!evaluation.calibration) return;
  const OffsetCalibration& c = *evaluation.calibration;
  report::HeldOutCalibration held_out{c.split, c.images, AsConfigured(c.offset), c.hiou, {}};
  for (const auto& [offset, hiou] : c.hiou_at_offset) held_out.hiou_at_offset.push_back({AsConfigured(offset), hiou});
  std::sort(held_out.hiou_at_offset.begin(), held_out.hiou_at_offset.end(),
            [](const report::OffsetResult& a, const report::OffsetResult& b) { return a.offset < b.offset; });
  record.calibration = held_out;
}

}  // namespace zegclip::engine
