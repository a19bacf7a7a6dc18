#include "zegclip/report/eval_comparison.h"

#include <gtest/gtest.h>

namespace zegclip::report {
namespace {

nlohmann::json Classes(std::vector<std::tuple<std::string, bool, nlohmann::json>> rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, seen, iou] : rows) out.push_back({{"name", name}, {"seen", seen}, {"iou", iou}});
  return out;
}

TEST(EvalComparison, HeadlineMetricsFirstThenNumericExtrasSorted) {
  const nlohmann::json a = {{"pAcc", 90.0}, {"mIoU_seen", 60.0}, {"mIoU_unseen", nullptr}, {"hIoU", 0.0},
                            {"images", 4}, {"hIoU_at_offset_0.100", "12.50"}, {"checkpoint", "/r/iter_2.ckpt"}};
  const nlohmann::json b = {{"pAcc", 91.5}, {"mIoU_seen", 55.0}, {"mIoU_unseen", 20.0}, {"hIoU", 29.3},
                            {"images", 4}, {"hIoU_at_offset_0.000", "3.00"}};
  const EvalComparison c = CompareEvalResults(a, b);
  std::vector<std::string> names;
  for (const MetricPair& m : c.metrics) names.push_back(m.name);
  EXPECT_EQ(names, (std::vector<std::string>{"pAcc", "mIoU_seen", "mIoU_unseen", "hIoU", "images",
                                             "hIoU_at_offset_0.000", "hIoU_at_offset_0.100"}));
  EXPECT_DOUBLE_EQ(*c.metrics[0].a, 90.0);
  EXPECT_DOUBLE_EQ(*c.metrics[0].b, 91.5);
  EXPECT_FALSE(c.metrics[2].a.has_value());  // null: no unseen class in that run's ground truth
  EXPECT_DOUBLE_EQ(*c.metrics[2].b, 20.0);
  EXPECT_FALSE(c.metrics[5].a.has_value());
  EXPECT_DOUBLE_EQ(*c.metrics[5].b, 3.0);  // numeric string read as a number
  EXPECT_DOUBLE_EQ(*c.metrics[6].a, 12.5);
}

TEST(EvalComparison, ClassesOrderedByLargestMoveOneSidedLast) {
  const nlohmann::json a = {{"classes", Classes({{"cat", true, 50.0}, {"dog", true, 40.0}, {"cow", false, 10.0},
                                                 {"sheep", false, nullptr}, {"bus", true, 30.0}})}};
  const nlohmann::json b = {{"classes", Classes({{"cat", true, 50.05}, {"dog", true, 45.0}, {"cow", false, 0.0},
                                                 {"sheep", false, 12.0}, {"bus", true, 30.0}, {"kite", true, 5.0}})}};
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
  const nlohmann::json a = {{"classes", Classes({{"a", true, 0.0}, {"b", true, 0.0}, {"c", true, 0.0}})}};
  const nlohmann::json b = {{"classes", Classes({{"a", true, 1.0}, {"b", true, 3.0}, {"c", true, 2.0}})}};
  EvalComparisonOptions options;
  options.max_classes = 2;
  const EvalComparison c = CompareEvalResults(a, b, options);
  ASSERT_EQ(c.classes.size(), 2u);
  EXPECT_EQ(c.classes[0].name, "b");
  EXPECT_EQ(c.classes[1].name, "c");
  EXPECT_EQ(c.classes_qualifying, 3);
}

TEST(EvalComparison, MalformedInputGivesNoRowsInsteadOfThrowing) {
  const EvalComparison c = CompareEvalResults(nlohmann::json::array(), {{"classes", "nope"}, {"pAcc", "x"}});
  EXPECT_TRUE(c.metrics.empty());
  EXPECT_TRUE(c.classes.empty());
}

}  // namespace
}  // namespace zegclip::report
