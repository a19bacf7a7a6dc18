// Zero-shot segmentation metrics from a confusion matrix, with mmseg's semantics (what the authors reported):
// pAcc = Σ correct / Σ labelled; per-class accuracy = correct / labelled (NaN when the class has no label);
// per-class IoU = TP / (TP + FP + FN) (NaN when the class is absent from both prediction and label); every mean is
// over the non-NaN entries; mIoU over all / seen / unseen classes; hIoU = 2·S·U / (S + U) of the seen and unseen
// mIoUs (0 when S + U = 0, NaN when either is NaN, e.g. no unseen class). All values in percent.
//
// Example:
//   SegmentationMetrics m = Compute(cm, split.seen, split.unseen);
//   LOG(INFO) << "mIoU(U) " << m.miou_unseen << " hIoU " << m.hiou;
#ifndef ZEGCLIP_EVAL_SEGMENTATION_METRICS_H_
#define ZEGCLIP_EVAL_SEGMENTATION_METRICS_H_

#include <cstdint>
#include <vector>

#include "zegclip/eval/confusion_matrix.h"

namespace zegclip::eval {

struct SegmentationMetrics {
  double pixel_accuracy = 0.0;        // pAcc (mmseg's aAcc); NaN with no labelled pixel
  double mean_accuracy = 0.0;         // mAcc
  std::vector<double> class_accuracy;  // per class, NaN where the class has no labelled pixel
  std::vector<double> class_iou;       // per class, NaN where the union is empty
  double miou = 0.0;                   // over all classes
  double miou_seen = 0.0;
  double miou_unseen = 0.0;
  double hiou = 0.0;
};

// seen_ids, unseen_ids: class ids in [0, C) (either may be empty; its mIoU is then NaN).
SegmentationMetrics Compute(const ConfusionMatrix& matrix, const std::vector<int64_t>& seen_ids,
                            const std::vector<int64_t>& unseen_ids);

// Mean of values[ids] over the non-NaN entries; NaN if there are none. ids must index into values.
double NanMean(const std::vector<double>& values, const std::vector<int64_t>& ids);

// 2·s·u / (s + u); 0 when s + u = 0; NaN when either is NaN.
double HarmonicIou(double seen, double unseen);

}  // namespace zegclip::eval

#endif  // ZEGCLIP_EVAL_SEGMENTATION_METRICS_H_
