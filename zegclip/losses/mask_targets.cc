#include "zegclip/losses/mask_targets.h"

namespace zegclip::losses {

void CheckLabels(const at::Tensor& labels, int64_t num_classes, int64_t ignore_index, const char* who) {
  TORCH_CHECK(labels.dim() == 3 && labels.scalar_type() == at::kLong, who,
              ": labels must be (B, H, W) int64, got ", labels.sizes(), " ", labels.scalar_type());
  TORCH_CHECK(num_classes > 0, who, ": num_classes must be positive, got ", num_classes);
  at::Tensor bad = (labels != ignore_index) & ((labels < 0) | (labels >= num_classes));
  TORCH_CHECK(!bad.any().item<bool>(), who, ": labels must be in [0, ", num_classes, ") or ", ignore_index,
              " (ignore); found e.g. ", labels.masked_select(bad)[0].item<int64_t>());
}

MaskTargets MakeMaskTargets(const at::Tensor& labels, int64_t num_classes, at::ScalarType dtype,
                            int64_t ignore_index) {
  CheckLabels(labels, num_classes, ignore_index, "MakeMaskTargets");
  MaskTargets t;
  t.valid = labels != ignore_index;
  // One extra "ignored" channel takes the ignored pixels and is then dropped, so they end up all-zero.
  at::Tensor index = at::where(t.valid, labels, at::full({}, num_classes, labels.options()));
  t.one_hot = at::one_hot(index, num_classes + 1)
                  .narrow(-1, 0, num_classes)
                  .permute({0, 3, 1, 2})
                  .to(dtype)
                  .contiguous();
  t.present = t.one_hot.flatten(2).amax(-1) > 0;
  t.num_present = t.present.sum().item<int64_t>();
  return t;
}

}  // namespace zegclip::losses
