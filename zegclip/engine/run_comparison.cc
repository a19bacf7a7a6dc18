#include "zegclip/engine/run_comparison.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "zegclip/base/path_check.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/report/config_diff.h"
#include "zegclip/report/eval_comparison.h"

namespace zegclip::engine {
namespace {

constexpr char kRunFiles[] = "a finished `zegclip train` / `eval` run directory holds eval.json, config.pbtxt and "
                             "manifest.json";

// OK when the run file can be read; a missing one is said with what a run directory should hold.
absl::Status CheckRunFile(const std::string& path) {
  absl::Status s = base::CheckReadableFile(path, "run file");
  if (s.code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat(path, ": missing (", kRunFiles, ")"));
  }
  return s;  // permission denied, a folder, a symlink loop: said as such
}

absl::StatusOr<std::string> ReadText(const std::string& path) {
  if (absl::Status s = CheckRunFile(path); !s.ok()) return s;
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

}  // namespace

absl::StatusOr<ComparedRun> ReadComparedRun(const std::string& dir) {
  if (absl::Status s = base::CheckDirectory(dir, "run directory"); !s.ok()) {
    if (s.code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(absl::StrCat(dir, ": no such run directory"));
    }
    return s;
  }
  ComparedRun run{dir, {}, {}, {}};
  if (absl::Status s = CheckRunFile(dir + "/eval.json"); !s.ok()) return s;
  absl::StatusOr<report::EvalRecord> eval = report::ReadEvalRecord(dir + "/eval.json");
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

namespace {

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

void PrintMetrics(const report::EvalComparison& c, std::ostream& out) {
  out << "\n## Metrics (percent)\n\n| metric | A | B | B − A |\n|---|---:|---:|---:|\n";
  for (const report::MetricPair& m : c.metrics) {
    const bool count = m.name == "images";
    out << "| " << MetricLabel(m.name) << " | " << Number(m.a, count) << " | " << Number(m.b, count) << " | "
              << Delta(m.a, m.b, count) << " |\n";
  }
}

void PrintClasses(const report::EvalComparison& c, double min_delta, std::ostream& out) {
  out << absl::StrFormat("\n## Per-class IoU: %d class(es) moved by >= %.1f or scored in one run only",
                               c.classes_qualifying, min_delta);
  if (c.classes_qualifying > static_cast<int>(c.classes.size())) {
    out << absl::StrFormat(" (the %d largest shown)", c.classes.size());
  }
  out << absl::StrFormat("; %d scored in both\n\n", c.classes_compared);
  if (c.classes.empty()) return;
  out << "| class | split | A | B | B − A |\n|---|---|---:|---:|---:|\n";
  for (const report::ClassIouPair& k : c.classes) {
    out << "| " << k.name << " | " << (k.seen ? "seen" : "unseen") << " | " << Number(k.a) << " | "
              << Number(k.b) << " | " << Delta(k.a, k.b) << " |\n";
  }
}

void PrintConfigDiff(const ComparedRun& a, const ComparedRun& b, std::ostream& out) {
  const std::vector<report::FieldDifference> diff = report::DiffMessages(a.config, b.config);
  out << "\n## Config: " << diff.size() << " field(s) differ (config.pbtxt, resolved)\n\n";
  if (diff.empty()) return;
  out << "| field | A | B |\n|---|---|---|\n";
  for (const report::FieldDifference& d : diff) out << "| " << d.path << " | " << d.a << " | " << d.b << " |\n";
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

void PrintProvenance(const ComparedRun& a, const ComparedRun& b, std::ostream& out) {
  std::vector<std::string> keys = {"git_commit", "git_dirty", "hostname", "world_size", "backend", "threads", "seed",
                                   "command", "start_time", "wall_seconds"};
  for (const nlohmann::json* m : {&a.manifest, &b.manifest}) {
    if (!m->contains("versions") || !m->at("versions").is_object()) continue;
    for (const auto& [name, value] : m->at("versions").items()) {
      const std::string key = "versions." + name;
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  out << "\n## Provenance (manifest.json)\n\n| | A | B | |\n|---|---|---|---|\n";
  for (const std::string& key : keys) {
    const std::string va = ManifestValue(a.manifest, key), vb = ManifestValue(b.manifest, key);
    if (va.empty() && vb.empty()) continue;
    // Times and commands always differ; the mark is for what could explain a difference in the numbers.
    const bool always_differs = key == "command" || key == "start_time" || key == "wall_seconds";
    out << "| " << key << " | " << va << " | " << vb << " | " << (va != vb && !always_differs ? "differs" : "")
              << " |\n";
  }
}

}  // namespace

std::string CompareRunsMarkdown(const ComparedRun& a, const ComparedRun& b) {
  std::ostringstream out;
  out << "# zegclip compare\n\n- A: " << a.dir << " (" << a.config.name() << ")\n- B: " << b.dir << " ("
      << b.config.name() << ")\n";
  const report::EvalComparisonOptions options;
  const report::EvalComparison comparison = report::CompareEvalResults(a.eval, b.eval, options);
  PrintMetrics(comparison, out);
  PrintClasses(comparison, options.min_class_delta, out);
  PrintConfigDiff(a, b, out);
  PrintProvenance(a, b, out);
  return out.str();
}

}  // namespace zegclip::engine
