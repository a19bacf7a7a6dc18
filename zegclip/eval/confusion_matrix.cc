#include "zegclip/eval/confusion_matrix.h"

namespace zegclip::eval {

ConfusionMatrix::ConfusionMatrix(int64_t num_classes, int64_t ignore_index)
    : num_classes_(num_classes), ignore_index_(ignore_index) {
  TORCH_CHECK(num_classes > 0, "ConfusionMatrix: num_classes must be positive, got ", num_classes);
  TORCH_CHECK(ignore_index < 0 || ignore_index >= num_classes, "ConfusionMatrix: ignore_index ", ignore_index,
              " collides with a class id in [0, ", num_classes, ")");
  counts_ = at::zeros({num_classes, num_classes}, at::kLong);
}

ConfusionMatrix ConfusionMatrix::FromCounts(const at::Tensor& counts, int64_t ignore_index) {
  TORCH_CHECK(counts.dim() == 2 && counts.size(0) == counts.size(1),
              "ConfusionMatrix::FromCounts: counts must be (C, C), got ", counts.sizes());
  TORCH_CHECK(!at::isFloatingType(counts.scalar_type()) || at::equal(counts, counts.round()),
              "ConfusionMatrix::FromCounts: counts must be whole numbers");
  ConfusionMatrix m(counts.size(0), ignore_index);
  m.counts_ = counts.to(at::kCPU, at::kLong).clone();
  TORCH_CHECK(m.counts_.min().item<int64_t>() >= 0, "ConfusionMatrix::FromCounts: counts must be non-negative");
  return m;
}

void ConfusionMatrix::Add(const at::Tensor& pred, const at::Tensor& label) {
  TORCH_CHECK(pred.sizes() == label.sizes(), "ConfusionMatrix::Add: pred ", pred.sizes(), " and label ",
              label.sizes(), " must have the same shape");
  TORCH_CHECK(pred.scalar_type() == at::kLong && label.scalar_type() == at::kLong,
              "ConfusionMatrix::Add: pred and label must be int64, got ", pred.scalar_type(), " and ",
              label.scalar_type());
  const int64_t c = num_classes_;
  at::Tensor valid = label != ignore_index_;
  at::Tensor l = label.masked_select(valid);
  at::Tensor p = pred.to(label.device()).masked_select(valid);
  if (l.numel() == 0) return;
  TORCH_CHECK(!((l < 0) | (l >= c)).any().item<bool>(), "ConfusionMatrix::Add: labels must be in [0, ", c,
              ") or ", ignore_index_, "; found ", l.masked_select((l < 0) | (l >= c))[0].item<int64_t>());
  TORCH_CHECK(!((p < 0) | (p >= c)).any().item<bool>(), "ConfusionMatrix::Add: predictions at labelled pixels ",
              "must be in [0, ", c, "); found ", p.masked_select((p < 0) | (p >= c))[0].item<int64_t>());
  counts_ += at::bincount(l * c + p, /*weights=*/{}, /*minlength=*/c * c).view({c, c}).to(at::kCPU);
}

void ConfusionMatrix::Merge(const ConfusionMatrix& other) {
  TORCH_CHECK(other.num_classes_ == num_classes_, "ConfusionMatrix::Merge: class counts differ (", num_classes_,
              " vs ", other.num_classes_, ")");
  counts_ += other.counts_;
}

void ConfusionMatrix::Reset() { counts_.zero_(); }

}  // namespace zegclip::eval
