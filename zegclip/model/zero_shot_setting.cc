#include "zegclip/model/zero_shot_setting.h"

#include <c10/util/Exception.h>

namespace zegclip::model {
namespace {

at::Tensor IdTensor(const std::vector<int64_t>& ids) {
  return at::tensor(at::ArrayRef<int64_t>(ids), at::kLong);
}

}  // namespace

at::Tensor TrainedClasses(const ZeroShotSplit& split) {
  if (split.setting == Setting::kInductive) return IdTensor(split.seen);
  return at::arange(split.num_classes, at::kLong);
}

at::Tensor MapLabelsToTrained(const at::Tensor& labels, const ZeroShotSplit& split) {
  TORCH_CHECK(labels.scalar_type() == at::kLong, "labels must be int64");
  // A lookup table over the 256 possible label values: dataset id → trained index or ignore.
  at::Tensor table = at::full({256}, kIgnoreLabel, at::kLong);
  at::Tensor trained = TrainedClasses(split);
  table.index_put_({trained}, at::arange(trained.numel(), at::kLong));
  const at::Tensor in_range = labels.ge(0).logical_and(labels.lt(256));
  TORCH_CHECK(in_range.all().item<bool>(), "labels must be in [0, 255]");
  return table.to(labels.device()).index({labels});
}

at::Tensor PseudoLabelUnseen(const at::Tensor& labels, const at::Tensor& scores, const ZeroShotSplit& split) {
  TORCH_CHECK(scores.dim() == 4 && scores.size(1) == split.num_classes, "scores must be (B, num_classes, H, W)");
  TORCH_CHECK(!split.unseen.empty(), "pseudo-labels need unseen classes");
  at::Tensor unseen_ids = IdTensor(split.unseen).to(labels.device());
  at::Tensor unseen_scores = scores.detach().index_select(1, unseen_ids);
  at::Tensor pseudo = unseen_ids.index({unseen_scores.argmax(1)});
  at::Tensor is_unseen = at::isin(labels, unseen_ids);
  return at::where(is_unseen, pseudo, labels);
}

std::vector<int64_t> CalibratedClasses(const ZeroShotSplit& split) {
  switch (split.setting) {
    case Setting::kInductive: return split.seen;
    case Setting::kTransductive: return {};
    case Setting::kFullySupervised: break;
  }
  std::vector<int64_t> all(static_cast<size_t>(split.num_classes));
  for (int64_t c = 0; c < split.num_classes; ++c) all[static_cast<size_t>(c)] = c;
  return all;
}

}  // namespace zegclip::model
