#include "zegclip/report/eval_comparison.h"

#include <gtest/gtest.h>

#include <cmath>

namespace zegclip::report {
namespace {

EvalRecord WithClasses(std::vector<ClassResult> classes) {
  EvalRecord r;
  r.classes = std::move(classes);
  return r;
}

TEST(EvalComparison, HeadlineMetricsFirstThenTheOtherNumbersSorted) {
  EvalRecord a, b;
  a.pixel_accuracy = 90.0, a.miou_seen = 60.0, a.hiou = 0.0, a.images = 4;
  a.hiou_at_offset_on_val = {{0.1, 12.5}};
  a.checkpoint = "/r/iter_2.ckpt";
  b.pixel_accuracy = 91.5, b.miou_seen = 55.0, b.miou_unseen = 20.0, b.hiou = 29.3, b.images = 4;
  b.hiou_at_offset_on_val = {{0.0, 3.0}};
  const EvalComparison c = CompareEvalResults(a, b);
  std::vector<std::string> names;
  for (const MetricPair& m : c.metrics) names.push_back(m.name);
  // mAcc and mIoU are numbers in neither run: no row.
  EXPECT_EQ(names, (std::vector<std::string>{"pAcc", "mIoU_seen", "mIoU_unseen", "hIoU", "images",
                                             "hIoU_at_offset_0.000", "hIoU_at_offset_0.100"}));
  EXPECT_DOUBLE_EQ(*c.metrics[0].a, 90.0);
  EXPECT_DOUBLE_EQ(*c.metrics[0].b, 91.5);
  EXPECT_FALSE(c.metrics[2].a.has_value());  // NaN: no unseen class in that run's ground truth
  EXPECT_DOUBLE_EQ(*c.metrics[2].b, 20.0);
  EXPECT_FALSE(c.metrics[5].a.has_value());
  EXPECT_DOUBLE_EQ(*c.metrics[5].b, 3.0);
  EXPECT_DOUBLE_EQ(*c.metrics[6].a, 12.5);
  EXPECT_FALSE(c.metrics[6].b.has_value());
}

TEST(EvalComparison, ClassesOrderedByLargestMoveOneSidedLast) {
  const EvalRecord a = WithClasses({{"cat", true, 50.0}, {"dog", true, 40.0}, {"cow", false, 10.0},
                                    {"sheep", false, NAN}, {"bus", true, 30.0}});
  const EvalRecord b = WithClasses({{"cat", true, 50.05}, {"dog", true, 45.0}, {"cow", false, 0.0},
                                    {"sheep", false, 12.0}, {"bus", true, 30.0}, {"kite", true, 5.0}});
  const EvalComparison c = CompareEvalResults(a, b);
  EXPECT_EQ(c.classes_compared, 4);  // cat, dog, cow, bus (sheep: null in a; kite: not in a)
  ASSERT_EQ(c.classes.size(), 4u);   // cat (0.05) and bus (0) moved less than 0.1
  EXPECT_EQ(c.classes[0].name, "cow");
  EXPECT_FALSE(c.classes[0].seen);
  EXPECT_DOUBLE_EQ(*c.classes[0].a - *c.classes[0].b, 10.0);
  EXPECT_EQ(c.classes[1].name, "dog");
  EXPECT_EQ(c.classes[2].name, "sheep");
  EXPECT_FALSE(c.classes[2].a.has_value());
  EXPECT_EQ(c.classes[3].name, "kite");
  EXPECT_FALSE(c.classes[3].a.has_value());
  EXPECT_EQ(c.classes_qualifying, 4);
}

TEST(EvalComparison, MaxClassesCutsAfterOrdering) {
  const EvalRecord a = WithClasses({{"a", true, 0.0}, {"b", true, 0.0}, {"c", true, 0.0}});
  const EvalRecord b = WithClasses({{"a", true, 1.0}, {"b", true, 3.0}, {"c", true, 2.0}});
  EvalComparisonOptions options;
  options.max_classes = 2;
  const EvalComparison c = CompareEvalResults(a, b, options);
  ASSERT_EQ(c.classes.size(), 2u);
  EXPECT_EQ(c.classes[0].name, "b");
  EXPECT_EQ(c.classes[1].name, "c");
  EXPECT_EQ(c.classes_qualifying, 3);
}

TEST(EvalComparison, EmptyRecordsGiveOnlyTheImageCount) {
  const EvalComparison c = CompareEvalResults(EvalRecord{}, EvalRecord{});
  ASSERT_EQ(c.metrics.size(), 1u);
  EXPECT_EQ(c.metrics[0].name, "images");
  EXPECT_TRUE(c.classes.empty());
}

}  // namespace
}  // namespace zegclip::report
