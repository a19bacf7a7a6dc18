#include "benchmarks/benchmark_report.h"

#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "benchmarks/benchmark_runtime.h"
#include "zegclip/testing/temp_path.h"

namespace zegclip::benchmarks {
namespace {

using ::zegclip::testing::TempPath;

BenchmarkRow Row(const std::string& variant, double images_per_s, int64_t batch = 8) {
  BenchmarkRow r{"inference", "whole512", "fp32", batch, variant};
  r.images_per_s = images_per_s;
  r.iters_per_s = images_per_s / static_cast<double>(batch);
  r.iters = 5;
  r.warmup = 2;
  r.latency = {10.5, 10.0, 12.0, 13.0};
  r.peak_mem_mb = 1234.5;
  return r;
}

TEST(Percentile, LinearInterpolationLikeNumpy) {
  // numpy.percentile([4, 1, 3, 2], q) = 1 + 3 q / 100 on the sorted samples 1..4.
  const std::vector<double> s = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(Percentile(s, 0), 1.0);
  EXPECT_DOUBLE_EQ(Percentile(s, 50), 2.5);
  EXPECT_DOUBLE_EQ(Percentile(s, 90), 3.7);
  EXPECT_DOUBLE_EQ(Percentile(s, 100), 4.0);
  EXPECT_DOUBLE_EQ(Percentile({7.0}, 99), 7.0);
  EXPECT_DOUBLE_EQ(Percentile({}, 50), 0.0);
}

TEST(Percentile, SummaryOfTenSamples) {
  std::vector<double> ms;
  for (int i = 10; i >= 1; --i) ms.push_back(i);  // 1..10 in reverse
  LatencyStats s = SummarizeLatencies(ms);
  EXPECT_DOUBLE_EQ(s.mean_ms, 5.5);
  EXPECT_DOUBLE_EQ(s.p50_ms, 5.5);
  EXPECT_DOUBLE_EQ(s.p90_ms, 9.1);
  EXPECT_NEAR(s.p99_ms, 9.91, 1e-12);
}

TEST(Report, JsonRoundTripKeepsEveryField) {
  BenchmarkReport report;
  report.implementation = "cpp";
  report.benchmark = "inference";
  report.device = "cpu";
  report.device_name = "2-core cpu";
  report.torch_version = "1.13.0";
  report.threads = 2;
  report.mem_kind = "process_rss_peak";
  report.config = {{"classes", 20}};
  report.rows.push_back(Row("fused", 3.5));
  report.rows[0].phases_ms = {{"forward", 2.5}, {"backward", 5.0}};
  BenchmarkRow skipped{"train_step", "coco512", "bf16", 4, "fused", "skipped: time budget"};
  report.rows.push_back(skipped);
  const std::string path = TempPath("report.json");
  ASSERT_TRUE(WriteReportJson(report, path).ok());

  absl::StatusOr<BenchmarkReport> back = ReadReportJson(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->implementation, "cpp");
  EXPECT_EQ(back->threads, 2);
  EXPECT_EQ(back->config["classes"], 20);
  ASSERT_EQ(back->rows.size(), 2u);
  const BenchmarkRow& r = back->rows[0];
  EXPECT_EQ(r.Key(), "inference/whole512/fp32/b8");
  EXPECT_EQ(r.variant, "fused");
  EXPECT_DOUBLE_EQ(r.images_per_s, 3.5);
  EXPECT_DOUBLE_EQ(r.iters_per_s, 3.5 / 8);
  EXPECT_DOUBLE_EQ(r.latency.p90_ms, 12.0);
  EXPECT_DOUBLE_EQ(r.peak_mem_mb, 1234.5);
  EXPECT_EQ(r.iters, 5);
  EXPECT_EQ(r.phases_ms, (std::map<std::string, double>{{"backward", 5.0}, {"forward", 2.5}}));
  EXPECT_EQ(back->rows[1].Key(), "train_step/coco512/bf16/b4");
  EXPECT_EQ(back->rows[1].status, "skipped: time budget");
  EXPECT_FALSE(back->rows[1].ok());
}

TEST(Report, RatiosMatchRowsByKeyPerReferenceVariant) {
  BenchmarkReport cpp, ref;
  cpp.rows = {Row("fused", 12.0), Row("fused", 6.0, /*batch=*/1)};
  ref.rows = {Row("authors", 8.0), Row("sdpa", 16.0), Row("authors", 3.0, /*batch=*/1)};
  AttachRatios(cpp, ref);
  EXPECT_DOUBLE_EQ(cpp.rows[0].ratio.at("authors"), 1.5);
  EXPECT_DOUBLE_EQ(cpp.rows[0].ratio.at("sdpa"), 0.75);
  EXPECT_DOUBLE_EQ(cpp.rows[1].ratio.at("authors"), 2.0);
  EXPECT_EQ(cpp.rows[1].ratio.count("sdpa"), 0u);  // no b1 sdpa row in the reference
  EXPECT_EQ(ReferenceVariants(ref), (std::vector<std::string>{"authors", "sdpa"}));

  const std::string table = FormatTable(cpp, &ref);
  EXPECT_NE(table.find("1.50x"), std::string::npos) << table;
  EXPECT_NE(table.find("0.75x"), std::string::npos) << table;
  EXPECT_NE(table.find("inference/whole512/fp32/b1"), std::string::npos) << table;
}

TEST(Report, FailedRowsGetNoRatio) {
  BenchmarkReport cpp, ref;
  cpp.rows = {Row("fused", 12.0)};
  ref.rows = {Row("authors", 8.0)};
  ref.rows[0].status = "error: out of memory";
  AttachRatios(cpp, ref);
  EXPECT_TRUE(cpp.rows[0].ratio.empty());
}

TEST(Report, ReadErrorsNameTheFile) {
  absl::StatusOr<BenchmarkReport> missing = ReadReportJson(TempPath("does_not_exist.json"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("does_not_exist.json"), absl::string_view::npos);

  const std::string wrong = TempPath("wrong_schema.json");
  std::ofstream(wrong) << R"({"schema": "other/2", "rows": []})";
  absl::StatusOr<BenchmarkReport> bad = ReadReportJson(wrong);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("schema"), absl::string_view::npos) << bad.status();

  const std::string broken = TempPath("broken.json");
  std::ofstream(broken) << "{not json";
  EXPECT_FALSE(ReadReportJson(broken).ok());
}

TEST(Flags, ListsAreParsedAndCheckedWithTheFlagName) {
  absl::StatusOr<std::vector<int64_t>> b = ParsePositiveList("batches", "1, 8,16");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, (std::vector<int64_t>{1, 8, 16}));
  absl::StatusOr<std::vector<int64_t>> zero = ParsePositiveList("batches", "1,0");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("--batches"), absl::string_view::npos);
  EXPECT_FALSE(ParsePositiveList("batches", "").ok());
  absl::StatusOr<std::vector<std::string>> p = ParseChoiceList("precisions", "fp32,bf16", {"fp32", "bf16"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->size(), 2u);
  EXPECT_FALSE(ParseChoiceList("precisions", "fp16", {"fp32", "bf16"}).ok());
}

TEST(Runtime, PhaseClockAveragesOnlyTheLastIterations) {
  PhaseClock clock(at::Device(at::kCPU), /*enabled=*/true);
  for (int i = 0; i < 3; ++i) {
    clock.StartIteration();
    if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(60));  // a slow warm-up iteration
    clock.Mark("a");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    clock.Mark("b");
  }
  std::map<std::string, double> timed = clock.MeanMs(2);
  ASSERT_EQ(timed.size(), 2u);
  EXPECT_LT(timed["a"], 15.0);  // the 60 ms of the first iteration are not averaged in
  EXPECT_GE(timed["b"], 19.0);
  EXPECT_LT(timed["b"], 60.0);
  EXPECT_GE(clock.MeanMs(3)["a"], 19.0);  // 60 / 3

  PhaseClock off(at::Device(at::kCPU), /*enabled=*/false);
  off.StartIteration();
  off.Mark("a");
  EXPECT_TRUE(off.MeanMs(1).empty());
}

TEST(Runtime, CpuPeakMemoryTracksAnAllocationAndResets) {
  const at::Device cpu(at::kCPU);
  ResetPeakMemory(cpu);
  const double before = PeakMemoryMb(cpu);
  {
    at::Tensor big = at::ones({64 << 20}, at::kByte);  // 64 MiB, touched
    EXPECT_EQ(big.sum().item<int64_t>(), int64_t{64} << 20);
  }
  const double peak = PeakMemoryMb(cpu);
  EXPECT_GE(peak - before, 60.0);
  ResetPeakMemory(cpu);
  EXPECT_LT(PeakMemoryMb(cpu), peak - 30.0);
}

}  // namespace
}  // namespace zegclip::benchmarks
