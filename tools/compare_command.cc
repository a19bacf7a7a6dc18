// `zegclip compare --runs=A,B`: two finished run directories side by side, as Markdown on stdout: the headline
// metrics of their eval.json (with B - A), the per-class IoUs that moved, the fields in which their resolved
// config.pbtxt differ, and where each came from (manifest.json: commit, machine, command, versions).
// Every file is read and checked before anything is printed; a missing or broken one is one error line naming it.
//
// Example:
//   zegclip compare --runs=runs/voc_inductive,runs/voc_inductive_el > compare.md
#include <gflags/gflags.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/command.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/io/path_check.h"
#include "zegclip/report/config_diff.h"
#include "zegclip/report/eval_comparison.h"

DEFINE_string(runs, "", "compare: two run directories, comma-separated (A,B)");

namespace zegclip::tools {
namespace {

constexpr char kRunFiles[] = "a finished `zegclip train` / `eval` run directory holds eval.json, config.pbtxt and "
                             "manifest.json";

struct Run {
  std::string dir;
  nlohmann::json eval;
  nlohmann::json manifest;
  config::Experiment config;
};

absl::StatusOr<std::string> ReadText(const std::string& path) {
  if (absl::Status s = io::CheckReadableFile(path, "run file"); !s.ok()) {
    if (s.code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(absl::StrCat(path, ": missing (", kRunFiles, ")"));
    }
    return s;  // permission denied, a folder, a symlink loop: said as such
  }
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": missing (", kRunFiles, ")"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<nlohmann::json> ReadJsonObject(const std::string& path) {
  absl::StatusOr<std::string> text = ReadText(path);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError(path + ": not a JSON object");
  return j;
}

absl::StatusOr<Run> ReadRun(const std::string& dir) {
  if (absl::Status s = io::CheckDirectory(dir, "run directory"); !s.ok()) {
    if (s.code() == absl::StatusCode::kNotFound) return absl::NotFoundError(absl::StrCat(dir, ": no such run directory"));
    return s;
  }
  Run run{dir, {}, {}, {}};
  absl::StatusOr<nlohmann::json> eval = ReadJsonObject(dir + "/eval.json");
  if (!eval.ok()) return eval.status();
  run.eval = *std::move(eval);
  absl::StatusOr<nlohmann::json> manifest = ReadJsonObject(dir + "/manifest.json");
  if (!manifest.ok()) return manifest.status();
  run.manifest = *std::move(manifest);
  absl::StatusOr<std::string> text = ReadText(dir + "/config.pbtxt");
  if (!text.ok()) return text.status();
  // Parsed, not validated: a run made by an older build must stay comparable after a validation rule changes.
  absl::StatusOr<config::Experiment> experiment = config::ParseExperimentText(*text, dir + "/config.pbtxt");
  if (!experiment.ok()) return experiment.status();
  run.config = *std::move(experiment);
  return run;
}

std::string MetricLabel(const std::string& key) {
  if (key == "mIoU_seen") return "mIoU(S)";
  if (key == "mIoU_unseen") return "mIoU(U)";
  return key;
}

// Percentages with two decimals; counts (eval.json's "images") as integers.
std::string Number(const std::optional<double>& x, bool count = false) {
  if (!x) return "—";
  return absl::StrFormat(count ? "%.0f" : "%.2f", *x);
}

std::string Delta(const std::optional<double>& a, const std::optional<double>& b, bool count = false) {
  return a && b ? absl::StrFormat(count ? "%+.0f" : "%+.2f", *b - *a) : "";
}

void PrintMetrics(const report::EvalComparison& c) {
  std::cout << "\n## Metrics (percent)\n\n| metric | A | B | B − A |\n|---|---:|---:|---:|\n";
  for (const report::MetricPair& m : c.metrics) {
    const bool count = m.name == "images";
    std::cout << "| " << MetricLabel(m.name) << " | " << Number(m.a, count) << " | " << Number(m.b, count) << " | "
              << Delta(m.a, m.b, count) << " |\n";
  }
}

void PrintClasses(const report::EvalComparison& c, double min_delta) {
  std::cout << absl::StrFormat("\n## Per-class IoU: %d class(es) moved by >= %.1f or scored in one run only",
                               c.classes_qualifying, min_delta);
  if (c.classes_qualifying > static_cast<int>(c.classes.size())) {
    std::cout << absl::StrFormat(" (the %d largest shown)", c.classes.size());
  }
  std::cout << absl::StrFormat("; %d scored in both\n\n", c.classes_compared);
  if (c.classes.empty()) return;
  std::cout << "| class | split | A | B | B − A |\n|---|---|---:|---:|---:|\n";
  for (const report::ClassIouPair& k : c.classes) {
    std::cout << "| " << k.name << " | " << (k.seen ? "seen" : "unseen") << " | " << Number(k.a) << " | "
              << Number(k.b) << " | " << Delta(k.a, k.b) << " |\n";
  }
}

void PrintConfigDiff(const Run& a, const Run& b) {
  const std::vector<report::FieldDifference> diff = report::DiffMessages(a.config, b.config);
  std::cout << "\n## Config: " << diff.size() << " field(s) differ (config.pbtxt, resolved)\n\n";
  if (diff.empty()) return;
  std::cout << "| field | A | B |\n|---|---|---|\n";
  for (const report::FieldDifference& d : diff) std::cout << "| " << d.path << " | " << d.a << " | " << d.b << " |\n";
}

// A manifest value as text ("" when absent); strings bare, numbers and booleans as JSON writes them.
std::string ManifestValue(const nlohmann::json& manifest, const std::string& key) {
  const nlohmann::json* v = &manifest;
  for (absl::string_view part : absl::StrSplit(key, '.')) {
    const std::string name(part);
    if (!v->is_object() || !v->contains(name)) return "";
    v = &v->at(name);
  }
  return v->is_string() ? v->get<std::string>() : v->dump();
}

void PrintProvenance(const Run& a, const Run& b) {
  std::vector<std::string> keys = {"git_commit", "git_dirty", "hostname", "world_size", "backend", "threads", "seed",
                                   "command", "start_time", "wall_seconds"};
  for (const nlohmann::json* m : {&a.manifest, &b.manifest}) {
    if (!m->contains("versions") || !m->at("versions").is_object()) continue;
    for (const auto& [name, value] : m->at("versions").items()) {
      const std::string key = "versions." + name;
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  std::cout << "\n## Provenance (manifest.json)\n\n| | A | B | |\n|---|---|---|---|\n";
  for (const std::string& key : keys) {
    const std::string va = ManifestValue(a.manifest, key), vb = ManifestValue(b.manifest, key);
    if (va.empty() && vb.empty()) continue;
    // Times and commands always differ; the mark is for what could explain a difference in the numbers.
    const bool always_differs = key == "command" || key == "start_time" || key == "wall_seconds";
    std::cout << "| " << key << " | " << va << " | " << vb << " | " << (va != vb && !always_differs ? "differs" : "")
              << " |\n";
  }
}

}  // namespace

int RunCompare(const CommandLine&) {
  const std::vector<std::string> dirs = absl::StrSplit(FLAGS_runs, ',');
  if (dirs.size() != 2 || dirs[0].empty() || dirs[1].empty()) {
    std::cerr << "compare: --runs=A,B names two run directories, comma-separated (got '" << FLAGS_runs << "')\n";
    return 2;
  }
  std::vector<Run> runs;
  for (const std::string& dir : dirs) {
    absl::StatusOr<Run> run = ReadRun(dir);
    if (!run.ok()) {
      std::cerr << "error: " << run.status().message() << "\n";
      return 1;
    }
    runs.push_back(*std::move(run));
  }
  const Run& a = runs[0];
  const Run& b = runs[1];
  std::cout << "# zegclip compare\n\n- A: " << a.dir << " (" << a.config.name() << ")\n- B: " << b.dir << " ("
            << b.config.name() << ")\n";
  const report::EvalComparisonOptions options;
  const report::EvalComparison comparison = report::CompareEvalResults(a.eval, b.eval, options);
  PrintMetrics(comparison);
  PrintClasses(comparison, options.min_class_delta);
  PrintConfigDiff(a, b);
  PrintProvenance(a, b);
  return 0;
}

}  // namespace zegclip::tools
