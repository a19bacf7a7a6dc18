#include "zegclip/eval/segmentation_metrics.h"

#include <cmath>
#include <limits>
#include <numeric>

namespace zegclip::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Ratio(double num, double den) { return den > 0 ? 100.0 * num / den : kNaN; }

}  // namespace

double NanMean(const std::vector<double>& values, const std::vector<int64_t>& ids) {
  double sum = 0.0;
  int64_t n = 0;
  for (int64_t id : ids) {
    TORCH_CHECK(id >= 0 && id < static_cast<int64_t>(values.size()), "NanMean: class id ", id,
                " outside [0, ", values.size(), ")");
    if (std::isnan(values[id])) continue;
    sum += values[id];
    ++n;
  }
  return n > 0 ? sum / n : kNaN;
}

double HarmonicIou(double seen, double unseen) {
  if (std::isnan(seen) || std::isnan(unseen)) return kNaN;
  return seen + unseen > 0 ? 2.0 * seen * unseen / (seen + unseen) : 0.0;
}

SegmentationMetrics Compute(const ConfusionMatrix& matrix, const std::vector<int64_t>& seen_ids,
                            const std::vector<int64_t>& unseen_ids) {
  const int64_t c = matrix.num_classes();
  at::Tensor counts = matrix.counts().to(at::kDouble);
  at::Tensor tp = counts.diagonal();
  at::Tensor labelled = counts.sum(1);   // row sums: pixels of each true class
  at::Tensor predicted = counts.sum(0);  // column sums: pixels predicted as each class
  auto tp_a = tp.accessor<double, 1>();
  auto lab_a = labelled.accessor<double, 1>();
  auto pred_a = predicted.accessor<double, 1>();
  SegmentationMetrics m;
  m.pixel_accuracy = Ratio(tp.sum().item<double>(), labelled.sum().item<double>());
  for (int64_t k = 0; k < c; ++k) {
    m.class_accuracy.push_back(Ratio(tp_a[k], lab_a[k]));
    m.class_iou.push_back(Ratio(tp_a[k], lab_a[k] + pred_a[k] - tp_a[k]));
  }
  std::vector<int64_t> all(c);
  std::iota(all.begin(), all.end(), 0);
  m.mean_accuracy = NanMean(m.class_accuracy, all);
  m.miou = NanMean(m.class_iou, all);
  m.miou_seen = NanMean(m.class_iou, seen_ids);
  m.miou_unseen = NanMean(m.class_iou, unseen_ids);
  m.hiou = HarmonicIou(m.miou_seen, m.miou_unseen);
  return m;
}

}  // namespace zegclip::eval
