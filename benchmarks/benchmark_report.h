// Result rows of the benchmark binaries, their JSON form (the same schema as
// benchmarks/reference/zegclip_reference.py writes), and the table that sets every C++ row beside the reference
// rows of the same key (task/input/precision/batch), one column pair per reference variant.
//
// Header-only: the CMake mirror builds each benchmarks/*_benchmark.cc as one binary against zegclip_lib, so
// helpers for the benchmarks must not need a .cc of their own.
//
// Example:
//   BenchmarkReport report = ...;                        // implementation "cpp", rows measured
//   absl::StatusOr<BenchmarkReport> ref = ReadReportJson("ref.json");
//   if (ref.ok()) AttachRatios(report, *ref);            // row.ratio["authors"] = cpp img/s / reference img/s
//   std::fputs(FormatTable(report, ref.ok() ? &*ref : nullptr).c_str(), stdout);
//   absl::Status written = WriteReportJson(report, "cpp.json");
#ifndef ZEGCLIP_BENCHMARKS_BENCHMARK_REPORT_H_
#define ZEGCLIP_BENCHMARKS_BENCHMARK_REPORT_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace zegclip::benchmarks {

inline constexpr char kReportSchema[] = "zegclip-benchmark/1";

struct LatencyStats {
  double mean_ms = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
};

// q-th percentile (0..100) with linear interpolation between closest ranks (numpy's default), so the Python
// reference computes the same statistic from the same samples.
inline double Percentile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0.0;
  std::sort(samples.begin(), samples.end());
  const double pos = q / 100.0 * static_cast<double>(samples.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, samples.size() - 1);
  return samples[lo] + (samples[hi] - samples[lo]) * (pos - static_cast<double>(lo));
}

inline LatencyStats SummarizeLatencies(const std::vector<double>& ms) {
  LatencyStats s;
  if (ms.empty()) return s;
  double sum = 0;
  for (double v : ms) sum += v;
  s.mean_ms = sum / static_cast<double>(ms.size());
  s.p50_ms = Percentile(ms, 50);
  s.p90_ms = Percentile(ms, 90);
  s.p99_ms = Percentile(ms, 99);
  return s;
}

struct BenchmarkRow {
  std::string task;       // "inference" | "train_step"
  std::string input;      // "whole512", "slide512x683", "voc512", "coco512" (tiny: smaller sizes)
  std::string precision;  // "fp32" | "bf16"
  int64_t batch = 1;
  std::string variant;    // C++: "fused" | "explicit"; reference: "authors" | "sdpa"
  std::string status = "ok";  // "ok", "skipped: why", "error: what"
  int iters = 0;
  int warmup = 0;
  double images_per_s = 0;
  double iters_per_s = 0;
  LatencyStats latency;
  double peak_mem_mb = 0;
  // Filled by AttachRatios: reference variant -> this row's images/s divided by the reference row's.
  std::map<std::string, double> ratio;
  // Optional (--breakdown): mean milliseconds per phase of an iteration, each phase ended by a synchronisation.
  std::map<std::string, double> phases_ms;

  std::string Key() const { return absl::StrCat(task, "/", input, "/", precision, "/b", batch); }
  bool ok() const { return status == "ok"; }
};

struct BenchmarkReport {
  std::string implementation;  // "cpp" | "pytorch"
  std::string benchmark;       // "inference" | "train_step"
  std::string device;          // "cpu" | "cuda"
  std::string device_name;
  std::string torch_version;
  int threads = 1;
  std::string mem_kind;        // "cuda_allocated_peak" | "process_rss_peak"
  nlohmann::json config = nlohmann::json::object();
  std::vector<BenchmarkRow> rows;
};

inline nlohmann::json RowToJson(const BenchmarkRow& r) {
  nlohmann::json j = {{"key", r.Key()},           {"task", r.task},
                      {"input", r.input},         {"precision", r.precision},
                      {"batch", r.batch},         {"variant", r.variant},
                      {"status", r.status},       {"iters", r.iters},
                      {"warmup", r.warmup},       {"images_per_s", r.images_per_s},
                      {"iters_per_s", r.iters_per_s}, {"peak_mem_mb", r.peak_mem_mb}};
  j["latency_ms"] = {{"mean", r.latency.mean_ms}, {"p50", r.latency.p50_ms}, {"p90", r.latency.p90_ms},
                     {"p99", r.latency.p99_ms}};
  if (!r.ratio.empty()) j["ratio_vs_reference"] = r.ratio;
  if (!r.phases_ms.empty()) j["phases_ms"] = r.phases_ms;
  return j;
}

inline BenchmarkRow RowFromJson(const nlohmann::json& j) {
  BenchmarkRow r;
  r.task = j.at("task").get<std::string>();
  r.input = j.at("input").get<std::string>();
  r.precision = j.at("precision").get<std::string>();
  r.batch = j.at("batch").get<int64_t>();
  r.variant = j.at("variant").get<std::string>();
  r.status = j.at("status").get<std::string>();
  r.iters = j.value("iters", 0);
  r.warmup = j.value("warmup", 0);
  r.images_per_s = j.value("images_per_s", 0.0);
  r.iters_per_s = j.value("iters_per_s", 0.0);
  r.peak_mem_mb = j.value("peak_mem_mb", 0.0);
  const nlohmann::json& lat = j.at("latency_ms");
  r.latency = {lat.value("mean", 0.0), lat.value("p50", 0.0), lat.value("p90", 0.0), lat.value("p99", 0.0)};
  if (j.contains("ratio_vs_reference")) r.ratio = j["ratio_vs_reference"].get<std::map<std::string, double>>();
  if (j.contains("phases_ms")) r.phases_ms = j["phases_ms"].get<std::map<std::string, double>>();
  return r;
}

inline nlohmann::json ReportToJson(const BenchmarkReport& report) {
  nlohmann::json rows = nlohmann::json::array();
  for (const BenchmarkRow& r : report.rows) rows.push_back(RowToJson(r));
  return {{"schema", kReportSchema},         {"implementation", report.implementation},
          {"benchmark", report.benchmark},   {"device", report.device},
          {"device_name", report.device_name}, {"torch_version", report.torch_version},
          {"threads", report.threads},       {"mem_kind", report.mem_kind},
          {"config", report.config},         {"rows", rows}};
}

inline absl::Status WriteReportJson(const BenchmarkReport& report, const std::string& path) {
  std::ofstream out(path);
  if (!out) return absl::InternalError(absl::StrCat(path, ": cannot open the benchmark JSON for writing"));
  out << ReportToJson(report).dump(2) << "\n";
  if (!out.flush()) return absl::InternalError(absl::StrCat(path, ": writing the benchmark JSON failed"));
  return absl::OkStatus();
}

// One error naming the file and what was wrong: unreadable, not JSON, wrong schema, or a row missing a field.
inline absl::StatusOr<BenchmarkReport> ReadReportJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the reference benchmark JSON"));
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (j.value("schema", "") != kReportSchema) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": field 'schema' must be \"", kReportSchema, "\", got ", j.value("schema", "none")));
    }
    BenchmarkReport report;
    report.implementation = j.at("implementation").get<std::string>();
    report.benchmark = j.at("benchmark").get<std::string>();
    report.device = j.at("device").get<std::string>();
    report.device_name = j.value("device_name", "");
    report.torch_version = j.value("torch_version", "");
    report.threads = j.value("threads", 1);
    report.mem_kind = j.value("mem_kind", "");
    report.config = j.value("config", nlohmann::json::object());
    for (const nlohmann::json& row : j.at("rows")) report.rows.push_back(RowFromJson(row));
    return report;
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a benchmark report: ", e.what()));
  }
}

// Variants present in a reference report, in order of first appearance.
inline std::vector<std::string> ReferenceVariants(const BenchmarkReport& reference) {
  std::vector<std::string> variants;
  for (const BenchmarkRow& r : reference.rows) {
    if (std::find(variants.begin(), variants.end(), r.variant) == variants.end()) variants.push_back(r.variant);
  }
  return variants;
}

inline const BenchmarkRow* FindRow(const BenchmarkReport& report, const std::string& key, const std::string& variant) {
  for (const BenchmarkRow& r : report.rows) {
    if (r.Key() == key && r.variant == variant) return &r;
  }
  return nullptr;
}

// ratio[variant] = images/s of the C++ row / images/s of the reference row with the same key (> 1: C++ faster).
// Rows that failed on either side get no ratio.
inline void AttachRatios(BenchmarkReport& report, const BenchmarkReport& reference) {
  for (BenchmarkRow& row : report.rows) {
    row.ratio.clear();
    if (!row.ok()) continue;
    for (const std::string& variant : ReferenceVariants(reference)) {
      const BenchmarkRow* ref = FindRow(reference, row.Key(), variant);
      if (ref != nullptr && ref->ok() && ref->images_per_s > 0) {
        row.ratio[variant] = row.images_per_s / ref->images_per_s;
      }
    }
  }
}

inline std::string FormatRowNumbers(const BenchmarkRow& r) {
  char buf[160];
  if (!r.ok()) {
    std::snprintf(buf, sizeof(buf), "%-9s %s", r.variant.c_str(), r.status.c_str());
  } else {
    std::snprintf(buf, sizeof(buf), "%-9s %9.2f %8.3f %9.2f %9.2f %9.2f %9.0f", r.variant.c_str(), r.images_per_s,
                  r.iters_per_s, r.latency.p50_ms, r.latency.p90_ms, r.latency.p99_ms, r.peak_mem_mb);
  }
  return buf;
}

// "key variant: forward 12.3 ms, backward ..." for every row that has a phase breakdown.
inline std::string FormatPhases(const BenchmarkReport& report) {
  std::string out;
  for (const BenchmarkRow& r : report.rows) {
    if (r.phases_ms.empty()) continue;
    absl::StrAppend(&out, "  ", r.Key(), " ", r.variant, ":");
    for (const auto& [phase, ms] : r.phases_ms) {
      char cell[64];
      std::snprintf(cell, sizeof(cell), " %s %.2f ms", phase.c_str(), ms);
      absl::StrAppend(&out, cell);
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

// The table: one line per row of `report`; with a reference, per reference variant its images/s and the ratio,
// then the reference rows themselves (so a run can be read without the JSON files).
inline std::string FormatTable(const BenchmarkReport& report, const BenchmarkReport* reference) {
  std::string out =
      absl::StrCat("\n", report.benchmark, ": ", report.implementation, " (LibTorch ", report.torch_version, ", ",
                   report.device, " ", report.device_name, ", ", report.threads, " threads, peak = ", report.mem_kind,
                   ")\n");
  std::vector<std::string> variants;
  if (reference != nullptr) variants = ReferenceVariants(*reference);
  char head[200];
  std::snprintf(head, sizeof(head), "%-32s %-9s %9s %8s %9s %9s %9s %9s", "row", "variant", "img/s", "it/s", "p50 ms",
                "p90 ms", "p99 ms", "peak MB");
  absl::StrAppend(&out, head);
  for (const std::string& v : variants) absl::StrAppend(&out, " | ", v, " img/s  C++/ref");
  absl::StrAppend(&out, "\n");
  for (const BenchmarkRow& r : report.rows) {
    char key[40];
    std::snprintf(key, sizeof(key), "%-32s ", r.Key().c_str());
    absl::StrAppend(&out, key, FormatRowNumbers(r));
    for (const std::string& v : variants) {
      const BenchmarkRow* ref = FindRow(*reference, r.Key(), v);
      char cell[64];
      if (ref == nullptr || !ref->ok()) {
        std::snprintf(cell, sizeof(cell), " | %*s", static_cast<int>(v.size() + 15), "-");
      } else {
        auto it = r.ratio.find(v);
        std::snprintf(cell, sizeof(cell), " | %*.2f  %6.2fx", static_cast<int>(v.size() + 6), ref->images_per_s,
                      it == r.ratio.end() ? 0.0 : it->second);
      }
      absl::StrAppend(&out, cell);
    }
    absl::StrAppend(&out, "\n");
  }
  if (reference != nullptr) {
    absl::StrAppend(&out, "reference: ", reference->implementation, " (torch ", reference->torch_version, ", ",
                    reference->device, " ", reference->device_name, ", ", reference->threads, " threads)\n");
    for (const BenchmarkRow& r : reference->rows) {
      char key[40];
      std::snprintf(key, sizeof(key), "%-32s ", r.Key().c_str());
      absl::StrAppend(&out, key, FormatRowNumbers(r), "\n");
    }
  }
  std::string phases = FormatPhases(report);
  if (reference != nullptr) phases += FormatPhases(*reference);
  if (!phases.empty()) absl::StrAppend(&out, "phases (mean per timed iteration):\n", phases);
  return out;
}

}  // namespace zegclip::benchmarks

#endif  // ZEGCLIP_BENCHMARKS_BENCHMARK_REPORT_H_
