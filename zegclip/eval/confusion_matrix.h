// A C×C confusion matrix of semantic-segmentation predictions (rows = ground-truth label, columns = prediction),
// accumulated image by image with one bincount per call; pixels labelled with the ignore index (255) are skipped.
// The counts are an int64 tensor so data-parallel evaluation can allreduce them (sum) and rebuild the matrix.
//
// Example:
//   ConfusionMatrix cm(20);
//   cm.Add(pred, label);                      // int64 tensors of the same shape, e.g. (H, W) or (B, H, W)
//   at::Tensor summed = comm.AllreduceSum(cm.counts());
//   ConfusionMatrix global = ConfusionMatrix::FromCounts(summed);
#ifndef ZEGCLIP_EVAL_CONFUSION_MATRIX_H_
#define ZEGCLIP_EVAL_CONFUSION_MATRIX_H_

#include <ATen/ATen.h>

#include <cstdint>

namespace zegclip::eval {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int64_t num_classes, int64_t ignore_index = 255);

  // A matrix from (C, C) counts (e.g. summed over ranks); copied to CPU int64.
  static ConfusionMatrix FromCounts(const at::Tensor& counts, int64_t ignore_index = 255);

  // pred, label: int64 tensors of the same shape, on any device. Labelled pixels must be in [0, C) and so must
  // their predictions; pixels labelled ignore_index are skipped whatever their prediction.
  void Add(const at::Tensor& pred, const at::Tensor& label);

  // Adds another matrix's counts (same class count).
  void Merge(const ConfusionMatrix& other);

  void Reset();

  // (C, C) int64 on CPU; counts()[label][pred]. A copy: changing it leaves the matrix alone.
  at::Tensor counts() const { return counts_.clone(); }
  int64_t num_classes() const { return num_classes_; }
  int64_t ignore_index() const { return ignore_index_; }

 private:
  int64_t num_classes_;
  int64_t ignore_index_;
  at::Tensor counts_;
};

}  // namespace zegclip::eval

#endif  // ZEGCLIP_EVAL_CONFUSION_MATRIX_H_
