// eval.json: the result `zegclip train` and `zegclip eval` leave in a run directory, with its one writer and one
// reader. Quickstart, sweep tables, `zegclip compare` and the report script (tools/report/make_report.py) read it;
// testdata/eval_record_golden.json is the file both this code and make_report.py's test read.
//
// Layout (flat, keys as they have always been): "pAcc", "mAcc", "mIoU", "mIoU_seen", "mIoU_unseen", "hIoU" (percent,
// null where undefined), "images", "classes" [{name, seen, iou, acc}], then in key order the evaluated
// "checkpoint", the held-out calibration ("calibration_chosen_hIoU", "calibration_chosen_offset",
// "calibration_hIoU_at_offset_<x>", "calibration_images", "calibration_split"), "hIoU_at_offset_<x>" (each candidate
// measured on val, for reference), "seen_score_offset", and "unseen_pixels_right_colour" / "_pattern" (synthetic
// world). Every number is a JSON number; files written before this record stored the last group as strings, and
// the reader still accepts those.
//
// Example:
//   absl::StatusOr<EvalRecord> r = ReadEvalRecord("runs/q/zegclip/eval.json");
//   if (r.ok()) std::cout << r->hiou;
#ifndef ZEGCLIP_REPORT_EVAL_RECORD_H_
#define ZEGCLIP_REPORT_EVAL_RECORD_H_

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::report {

struct ClassResult {
  std::string name;
  bool seen = true;
  double iou = NAN;  // percent; NaN (null) when the class is absent from the ground truth and never predicted
  double acc = NAN;
};

// hIoU (percent) of the evaluation with one seen-score offset.
struct OffsetResult {
  double offset = 0;
  double hiou = NAN;
};

// The seen-score offset chosen on a split held out from val (eval.calibration_split).
struct HeldOutCalibration {
  std::string split;
  int64_t images = 0;
  double chosen_offset = 0;
  double chosen_hiou = NAN;
  std::vector<OffsetResult> hiou_at_offset;  // ascending offsets
};

struct EvalRecord {
  // Headline metrics, percent; NaN (null) where undefined (e.g. hIoU of a split without unseen classes).
  double pixel_accuracy = NAN, mean_accuracy = NAN, miou = NAN, miou_seen = NAN, miou_unseen = NAN, hiou = NAN;
  int64_t images = 0;
  std::vector<ClassResult> classes;
  std::string checkpoint;         // what was evaluated ("" when not recorded)
  double seen_score_offset = NAN;  // the offset behind the metrics (NaN when not recorded)
  std::optional<HeldOutCalibration> calibration;
  std::vector<OffsetResult> hiou_at_offset_on_val;  // for reference only: chosen on val it would overstate hIoU
  // Unseen pixels predicted as a class with the right colour / pattern (synthetic world; NaN otherwise).
  double unseen_pixels_right_colour = NAN, unseen_pixels_right_pattern = NAN;
};

nlohmann::ordered_json ToJson(const EvalRecord& record);
// Errors name `source` and the field: "runs/a/eval.json: 'hIoU' is "high", expected a number or null".
absl::StatusOr<EvalRecord> EvalRecordFromJson(const nlohmann::json& json, const std::string& source);

// Every number of the record under its eval.json key: the headline metrics and "images" (always, the first
// kHeadlineFields entries), then the others the record holds, in key order (what `zegclip compare` puts side by
// side). NaN values are included; the caller decides how to show them.
constexpr size_t kHeadlineFields = 7;
std::vector<std::pair<std::string, double>> NumericFields(const EvalRecord& record);

// Atomic (zegclip/base/atomic_file.h), two-space indented, newline-terminated.
absl::Status WriteEvalRecord(const std::string& path, const EvalRecord& record);
// Errors name the path: missing or unreadable, not JSON, a field of the wrong type.
absl::StatusOr<EvalRecord> ReadEvalRecord(const std::string& path);

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_EVAL_RECORD_H_
