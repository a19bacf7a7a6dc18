// The numbers of two evaluations side by side (`zegclip compare`): the headline metrics of two eval.json records and
// the per-class IoU differences worth showing.
//
// Example:
//   EvalComparison c = CompareEvalResults(*ReadEvalRecord("runs/a/eval.json"), *ReadEvalRecord("runs/b/eval.json"));
//   c.metrics[0];   // {"pAcc", 91.2, 92.0}
//   c.classes[0];   // the class whose IoU moved most, e.g. {"sheep", false, 40.0, 55.5}
#ifndef ZEGCLIP_REPORT_EVAL_COMPARISON_H_
#define ZEGCLIP_REPORT_EVAL_COMPARISON_H_

#include <optional>
#include <string>
#include <vector>

#include "zegclip/report/eval_record.h"

namespace zegclip::report {

struct MetricPair {
  std::string name;  // eval.json's key, "mIoU_seen"
  std::optional<double> a, b;  // empty: absent or null (not a finite number) in that run
};

struct ClassIouPair {
  std::string name;
  bool seen = true;  // as the first run that has the class says
  std::optional<double> a, b;  // empty: the class is not in that run, or absent from its ground truth (null)
};

struct EvalComparison {
  std::vector<MetricPair> metrics;
  std::vector<ClassIouPair> classes;
  int classes_compared = 0;  // classes scored in both runs
  int classes_qualifying = 0;  // classes worth showing before the max_classes cut
};

struct EvalComparisonOptions {
  // A class is shown when its IoU moved by at least this many points, or it is scored in one run only.
  double min_class_delta = 0.1;
  // At most this many classes (largest moves first); 0 = all that qualify.
  int max_classes = 12;
};

// Headline metrics first (pAcc, mAcc, mIoU, mIoU_seen, mIoU_unseen, hIoU, images), then every other number either
// record holds (the calibration study's hIoU_at_offset_*, ...) in key order (NumericFields); a metric that is a
// number in neither run is left out. Classes are matched by name; those worth showing are ordered by |b - a|
// descending, one-sided ones last.
EvalComparison CompareEvalResults(const EvalRecord& a, const EvalRecord& b, const EvalComparisonOptions& options = {});

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_EVAL_COMPARISON_H_
