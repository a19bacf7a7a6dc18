// The zero-shot settings (inductive / transductive / fully supervised): which classes a training step queries, how
// labels map onto them, self-training pseudo-labels, and which classes the seen-score offset calibrates at inference.
//
// Example (inductive VOC: 15 seen classes queried, unseen pixels ignored):
//   ZeroShotSplit split{.num_classes = 20, .seen = {0..14}, .unseen = {15..19}, .setting = Setting::kInductive};
//   at::Tensor trained = TrainedClasses(split);          // {0, ..., 14}
//   at::Tensor target = MapLabelsToTrained(labels, split); // unseen pixels -> 255, seen k -> index in `trained`
#ifndef ZEGCLIP_MODEL_ZERO_SHOT_SETTING_H_
#define ZEGCLIP_MODEL_ZERO_SHOT_SETTING_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace zegclip::model {

inline constexpr int64_t kIgnoreLabel = 255;

enum class Setting { kInductive, kTransductive, kFullySupervised };

struct ZeroShotSplit {
  int64_t num_classes = 0;
  std::vector<int64_t> seen;    // label ids, ascending
  std::vector<int64_t> unseen;  // label ids, ascending
  Setting setting = Setting::kInductive;
};

// The label ids a training step queries (int64, ascending): the seen ids in the inductive setting, all otherwise.
at::Tensor TrainedClasses(const ZeroShotSplit& split);

// Labels (B, H, W) in dataset ids → indices into TrainedClasses; ids not trained become kIgnoreLabel.
at::Tensor MapLabelsToTrained(const at::Tensor& labels, const ZeroShotSplit& split);

// Self-training (transductive): pixels whose label is an unseen class get argmax over the UNSEEN classes of
// `scores` (B, num_classes, H, W), computed without gradient; other pixels keep their label.
at::Tensor PseudoLabelUnseen(const at::Tensor& labels, const at::Tensor& scores, const ZeroShotSplit& split);

// The classes the seen-score offset is subtracted from at inference (model/inference.h's offset_classes), as the
// authors' decode head does: the seen classes in the inductive setting; every class when fully supervised (their
// seen_idx is then all classes, so a uniform shift cannot move the argmax, even where our split keeps an "unseen" list
// for reporting); none in the transductive setting (their self-training test uses offset 0).
std::vector<int64_t> CalibratedClasses(const ZeroShotSplit& split);

}  // namespace zegclip::model

#endif  // ZEGCLIP_MODEL_ZERO_SHOT_SETTING_H_
