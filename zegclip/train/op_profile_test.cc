#include "zegclip/train/op_profile.h"

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "zegclip/testing/temp_path.h"

namespace zegclip::train {
namespace {

using ::testing::HasSubstr;

const OpRow& Row(const OpProfile& p, const std::string& name) {
  for (const OpRow& r : p.rows) {
    if (r.name == name) return r;
  }
  static const OpRow none;
  ADD_FAILURE() << "no row " << name;
  return none;
}

TEST(OpProfile, SelfTimeExcludesNestedCallsPerThread) {
  // Thread 1: linear [0, 100) holding addmm [10, 70) holding a zero-length view at 10; then add [100, 120).
  // Thread 2: a mm [50, 90) that overlaps thread 1's calls in time but is nested in nothing.
  const std::vector<OpEvent> events = {
      {"aten::add", 1, 100, 120, {}},
      {"aten::addmm", 1, 10, 70, {{64}, {8, 32}, {32, 64}}},
      {"aten::linear", 1, 0, 100, {}},
      {"aten::view", 1, 10, 10, {}},
      {"aten::mm", 2, 50, 90, {{4, 5}, {5, 6}}},
  };
  const OpProfile p = SummarizeOps(events, /*steps=*/2);
  EXPECT_DOUBLE_EQ(Row(p, "aten::linear").self_ms, 0.040);   // 100 - 60
  EXPECT_DOUBLE_EQ(Row(p, "aten::linear").total_ms, 0.100);
  EXPECT_DOUBLE_EQ(Row(p, "aten::addmm").self_ms, 0.060);    // the view took no time
  EXPECT_DOUBLE_EQ(Row(p, "aten::mm").self_ms, 0.040);
  EXPECT_DOUBLE_EQ(p.self_ms, 0.040 + 0.060 + 0.020 + 0.040);
  EXPECT_EQ(p.calls, 5);
  EXPECT_EQ(p.leaf_calls, 3);  // view, add, mm
  EXPECT_DOUBLE_EQ(Row(p, "aten::addmm").gflop, 2.0 * 8 * 32 * 64 / 1e9);
  EXPECT_DOUBLE_EQ(Row(p, "aten::mm").gflop, 2.0 * 4 * 5 * 6 / 1e9);
  EXPECT_DOUBLE_EQ(p.span_ms, 0.120);
  EXPECT_EQ(p.rows.front().name, "aten::addmm");  // largest self time first
}

TEST(OpProfile, MatmulFlopsReadsTheProductShapes) {
  EXPECT_EQ(MatmulFlops("aten::bmm", {{3, 4, 5}, {3, 5, 6}}), 2.0 * 3 * 4 * 5 * 6);
  EXPECT_EQ(MatmulFlops("aten::baddbmm", {{3, 4, 6}, {3, 4, 5}, {3, 5, 6}}), 2.0 * 3 * 4 * 5 * 6);
  EXPECT_EQ(MatmulFlops("aten::mm", {{4, 5}, {6, 7}}), 0);   // not a product: no count
  EXPECT_EQ(MatmulFlops("aten::mm", {}), 0);                 // shapes not recorded
  EXPECT_EQ(MatmulFlops("aten::add", {{4, 5}, {4, 5}}), 0);
}

TEST(OpProfile, TableAndTrace) {
  const std::vector<OpEvent> events = {{"aten::mm", 7, 0, 1000, {{100, 100}, {100, 100}}},
                                       {"aten::sigmoid", 7, 1000, 1500, {}}};
  const std::string table = FormatOpTable(SummarizeOps(events, 1), 10);
  EXPECT_THAT(table, HasSubstr("| aten::mm | 1.0 | 1.00 | 66.7 % | 1.00 | 2.0 |"));  // 2e6 FLOP in 1 ms
  EXPECT_THAT(table, HasSubstr("2 op calls, 2 of them leaves"));

  const std::string path = testing::TempPath("trace.json");
  ASSERT_TRUE(WriteChromeTrace(events, path).ok());
  std::ifstream in(path);
  const nlohmann::json trace = nlohmann::json::parse(in);
  ASSERT_EQ(trace["traceEvents"].size(), 2u);
  EXPECT_EQ(trace["traceEvents"][1]["name"], "aten::sigmoid");
  EXPECT_EQ(trace["traceEvents"][1]["dur"], 500.0);
  EXPECT_EQ(trace["traceEvents"][1]["tid"], 7);
}

}  // namespace
}  // namespace zegclip::train
