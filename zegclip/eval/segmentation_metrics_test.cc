#include "zegclip/eval/segmentation_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace zegclip::eval {
namespace {

TEST(SegmentationMetrics, HandComputedThreeClassMatrix) {
  // rows = label, cols = pred:  [2 1 0; 0 1 1; 1 0 1]
  ConfusionMatrix cm = ConfusionMatrix::FromCounts(at::tensor({2, 1, 0, 0, 1, 1, 1, 0, 1}, at::kLong).view({3, 3}));
  SegmentationMetrics m = Compute(cm, {0, 1}, {2});
  EXPECT_NEAR(m.pixel_accuracy, 100.0 * 4 / 7, 1e-9);
  ASSERT_EQ(m.class_accuracy.size(), 3u);
  EXPECT_NEAR(m.class_accuracy[0], 100.0 * 2 / 3, 1e-9);
  EXPECT_NEAR(m.class_accuracy[1], 50.0, 1e-9);
  EXPECT_NEAR(m.class_accuracy[2], 50.0, 1e-9);
  EXPECT_NEAR(m.mean_accuracy, (200.0 / 3 + 50 + 50) / 3, 1e-9);
  // IoU: class 0 2/(3+3-2); class 1 1/(2+2-1); class 2 1/(2+2-1).
  EXPECT_NEAR(m.class_iou[0], 50.0, 1e-9);
  EXPECT_NEAR(m.class_iou[1], 100.0 / 3, 1e-9);
  EXPECT_NEAR(m.class_iou[2], 100.0 / 3, 1e-9);
  EXPECT_NEAR(m.miou, (50.0 + 200.0 / 3) / 3, 1e-9);
  const double s = (50.0 + 100.0 / 3) / 2, u = 100.0 / 3;
  EXPECT_NEAR(m.miou_seen, s, 1e-9);
  EXPECT_NEAR(m.miou_unseen, u, 1e-9);
  EXPECT_NEAR(m.hiou, 2 * s * u / (s + u), 1e-9);
  EXPECT_NEAR(m.hiou, 1000.0 / 27, 1e-9);  // 2·(125/3)·(100/3)/75
}

TEST(SegmentationMetrics, AbsentClassesAreNanAndLeftOutOfMeans) {
  // 4 classes. Class 2 never labelled but predicted once (IoU 0, accuracy NaN); class 3 absent everywhere (NaN).
  //   label 0: pred 0 ×3, pred 2 ×1;  label 1: pred 1 ×2.
  ConfusionMatrix cm =
      ConfusionMatrix::FromCounts(at::tensor({3, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, at::kLong).view({4, 4}));
  SegmentationMetrics m = Compute(cm, {0, 1}, {2, 3});
  EXPECT_NEAR(m.class_iou[0], 75.0, 1e-9);
  EXPECT_NEAR(m.class_iou[1], 100.0, 1e-9);
  EXPECT_EQ(m.class_iou[2], 0.0);
  EXPECT_TRUE(std::isnan(m.class_iou[3]));
  EXPECT_TRUE(std::isnan(m.class_accuracy[2]));
  EXPECT_TRUE(std::isnan(m.class_accuracy[3]));
  EXPECT_NEAR(m.mean_accuracy, (75.0 + 100.0) / 2, 1e-9);
  EXPECT_NEAR(m.miou, (75.0 + 100.0 + 0.0) / 3, 1e-9);
  EXPECT_NEAR(m.miou_seen, 87.5, 1e-9);
  EXPECT_EQ(m.miou_unseen, 0.0);
  EXPECT_EQ(m.hiou, 0.0);  // U = 0
  EXPECT_NEAR(m.pixel_accuracy, 100.0 * 5 / 6, 1e-9);
}

TEST(SegmentationMetrics, HarmonicMeanEdgeCases) {
  EXPECT_EQ(HarmonicIou(0.0, 0.0), 0.0);
  EXPECT_NEAR(HarmonicIou(91.9, 77.8), 84.26, 0.01);  // the paper's VOC row: 84.3
  EXPECT_TRUE(std::isnan(HarmonicIou(50.0, std::nan(""))));
  // Fully supervised: no unseen classes, so their mIoU and hIoU are NaN, not a fake 0.
  ConfusionMatrix cm = ConfusionMatrix::FromCounts(at::tensor({1, 0, 0, 1}, at::kLong).view({2, 2}));
  SegmentationMetrics m = Compute(cm, {0, 1}, {});
  EXPECT_EQ(m.miou_seen, 100.0);
  EXPECT_TRUE(std::isnan(m.miou_unseen));
  EXPECT_TRUE(std::isnan(m.hiou));
}

TEST(SegmentationMetrics, EmptyMatrixIsNanNotCrash) {
  SegmentationMetrics m = Compute(ConfusionMatrix(3), {0}, {1, 2});
  EXPECT_TRUE(std::isnan(m.pixel_accuracy));
  EXPECT_TRUE(std::isnan(m.miou));
  EXPECT_THROW(Compute(ConfusionMatrix(3), {0, 3}, {}), c10::Error);
}

TEST(SegmentationMetrics, ComputedFromAddedPixels) {
  ConfusionMatrix cm(3);
  cm.Add(at::tensor({0, 0, 1, 1, 2, 2, 0, 0}, at::kLong), at::tensor({0, 0, 0, 1, 1, 2, 255, 2}, at::kLong));
  SegmentationMetrics m = Compute(cm, {0, 1}, {2});
  EXPECT_NEAR(m.hiou, 1000.0 / 27, 1e-9);
}

}  // namespace
}  // namespace zegclip::eval
