#include "zegclip/report/run_history.h"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/base/path_check.h"

namespace zegclip::report {
namespace {

// History files are a few lines per resume; anything far larger is not one.
constexpr int64_t kMaxHistoryBytes = int64_t{16} << 20;

nlohmann::ordered_json ToJson(const RunSegment& s) {
  nlohmann::ordered_json j;
  j["start_iter"] = s.start_iter;
  j["time"] = s.time;
  j["command"] = s.command;
  j["changes"] = nlohmann::json::array();
  for (const FieldDifference& d : s.changes) j["changes"].push_back({{"field", d.path}, {"was", d.a}, {"now", d.b}});
  return j;
}

// `where` is "FILE:LINE" for the error.
absl::StatusOr<RunSegment> FromJson(const std::string& line, const std::string& where) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  const auto bad = [&](const std::string& what) {
    return absl::DataLossError(absl::StrCat(where, ": ", what, " (a history line is {\"start_iter\": N, \"time\": "
                                            "\"...\", \"command\": \"...\", \"changes\": [{\"field\", \"was\", "
                                            "\"now\"}...]}); move the file aside to start the history again"));
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (!j.contains("start_iter") || !j["start_iter"].is_number_integer() || j["start_iter"].get<int64_t>() < 0) {
    return bad("start_iter must be an integer >= 0");
  }
  for (const char* key : {"time", "command"}) {
    if (!j.contains(key) || !j[key].is_string()) return bad(absl::StrCat(key, " must be a string"));
  }
  if (!j.contains("changes") || !j["changes"].is_array()) return bad("changes must be an array");
  RunSegment s{j["start_iter"].get<int64_t>(), j["time"].get<std::string>(), j["command"].get<std::string>(), {}};
  for (const nlohmann::json& c : j["changes"]) {
    if (!c.is_object()) return bad("each change must be an object");
    for (const char* key : {"field", "was", "now"}) {
      if (!c.contains(key) || !c[key].is_string()) return bad(absl::StrCat("change.", key, " must be a string"));
    }
    s.changes.push_back({c["field"].get<std::string>(), c["was"].get<std::string>(), c["now"].get<std::string>()});
  }
  return s;
}

}  // namespace

absl::StatusOr<std::vector<RunSegment>> ReadRunHistory(const std::string& path) {
  absl::StatusOr<base::PathType> type = base::TypeOf(path, "run history");
  if (!type.ok()) return type.status();
  if (*type == base::PathType::kMissing) return std::vector<RunSegment>{};
  if (absl::Status s = base::CheckReadableFile(path, "run history"); !s.ok()) return s;
  std::ifstream in(path, std::ios::binary);
  std::vector<RunSegment> history;
  std::string line;
  int64_t bytes = 0;
  for (int number = 1; std::getline(in, line); ++number) {
    bytes += static_cast<int64_t>(line.size()) + 1;
    if (bytes > kMaxHistoryBytes) {
      return absl::ResourceExhaustedError(absl::StrCat(path, ": larger than ", kMaxHistoryBytes >> 20,
                                                       " MiB; a run history is a few lines per resume"));
    }
    if (line.empty()) continue;
    absl::StatusOr<RunSegment> s = FromJson(line, absl::StrCat(path, ":", number));
    if (!s.ok()) return s.status();
    history.push_back(std::move(*s));
  }
  return history;
}

std::vector<RunSegment> WithSegment(std::vector<RunSegment> history, RunSegment segment) {
  // Each field's value before the first dropped segment changed it, and its value in the run so far.
  std::map<std::string, std::string> before, latest;
  std::vector<std::string> order;
  size_t keep = 0;
  while (keep < history.size() && history[keep].start_iter < segment.start_iter) ++keep;
  for (size_t k = keep; k < history.size(); ++k) {
    for (const FieldDifference& d : history[k].changes) {
      if (before.emplace(d.path, d.a).second) order.push_back(d.path);
      latest[d.path] = d.b;
    }
  }
  history.resize(keep);
  std::map<std::string, FieldDifference> now;  // relative to the run so far
  for (const FieldDifference& d : segment.changes) {
    now[d.path] = d;
    if (!before.count(d.path)) order.push_back(d.path);
  }
  std::vector<FieldDifference> folded;
  for (const std::string& field : order) {
    const auto b = before.find(field);
    const auto n = now.find(field);
    const std::string was = b != before.end() ? b->second : n->second.a;
    const std::string value = n != now.end() ? n->second.b : latest[field];
    if (was != value) folded.push_back({field, was, value});
  }
  segment.changes = std::move(folded);
  history.push_back(std::move(segment));
  return history;
}

absl::Status RecordRunSegment(const std::string& path, const RunSegment& segment) {
  std::vector<RunSegment> history;
  if (segment.start_iter > 0) {
    absl::StatusOr<std::vector<RunSegment>> read = ReadRunHistory(path);
    if (!read.ok()) return read.status();
    history = std::move(*read);
  }
  std::string text;
  for (const RunSegment& s : WithSegment(std::move(history), segment)) text += ToJson(s).dump() + "\n";
  return base::WriteFileAtomically(path, text);
}

}  // namespace zegclip::report
