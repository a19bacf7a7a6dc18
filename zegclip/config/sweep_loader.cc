#include "zegclip/config/sweep_loader.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "zegclip/base/path_check.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "zegclip/config/config_loader.h"

namespace zegclip::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// Point names become folder names: well under NAME_MAX (255) once a suffix is added.
constexpr size_t kMaxPointName = 200;

// Keeps the first error; protobuf reports 0-based line and column.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error_.empty()) error_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

std::string FieldNames(const Descriptor* descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->field_count(); ++i) names.push_back(descriptor->field(i)->name());
  return absl::StrJoin(names, ", ");
}

// The axis field must name a value (scalar or repeated scalar) of the experiment, as --set would accept.
absl::Status CheckFieldPath(const std::string& path) {
  const Descriptor* message = Experiment::descriptor();
  const std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string owner = i == 0 ? "the experiment" : absl::StrJoin(parts.begin(), parts.begin() + i, ".");
    const FieldDescriptor* field = message->FindFieldByName(parts[i]);
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("'", parts[i], "' is not a field of ", owner, " (fields: ",
                                                     FieldNames(message), ")"));
    }
    const bool is_group = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (i + 1 == parts.size()) {
      if (!is_group) return absl::OkStatus();
      return absl::InvalidArgumentError(absl::StrCat("'", path, "' is a group of fields; name one of its fields (",
                                                     FieldNames(field->message_type()), ")"));
    }
    if (!is_group || field->is_repeated()) {
      return absl::InvalidArgumentError(absl::StrCat("'", parts[i], "' is a value, not a group of fields"));
    }
    message = field->message_type();
  }
  return absl::OkStatus();
}

std::string AxisName(const SweepAxis& axis) {
  if (!axis.name().empty()) return axis.name();
  const size_t dot = axis.field().rfind('.');
  return dot == std::string::npos ? axis.field() : axis.field().substr(dot + 1);
}

bool IsSafeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '+' || c == '_';
}

// A value as it appears in a folder name: unsafe characters become '_' ("cow,sheep" -> "cow_sheep").
std::string SafeValue(const std::string& value) {
  if (value.empty()) return "empty";
  std::string out = value;
  for (char& c : out) c = IsSafeChar(c) ? c : '_';
  return out;
}

std::string Key(const std::string& assignment) { return assignment.substr(0, assignment.find('=')); }

// One axis: an existing value field, values given, a usable unique name, ZIP length. Records name and field.
absl::Status CheckAxis(const Sweep& sweep, int i, std::set<std::string>& names,
                       std::map<std::string, std::string>& field_to_axis) {
  const SweepAxis& axis = sweep.axes(i);
  const std::string where = absl::StrCat("axes[", i, "] (", axis.field(), ")");
  if (axis.field().empty()) return absl::InvalidArgumentError(absl::StrCat("axes[", i, "]: field is required"));
  if (absl::Status path = CheckFieldPath(axis.field()); !path.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", path.message()));
  }
  if (axis.values().empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": values: none given"));
  const std::string name = AxisName(axis);
  for (char c : name) {
    if (!IsSafeChar(c) || c == '+') {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": name '", name, "' may hold only letters, digits, '_', '.' and '-'"));
    }
  }
  if (name == "seed" && !sweep.seeds().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": name 'seed' is taken by the seeds list"));
  }
  if (!names.insert(name).second) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": another axis is also named '", name, "'"));
  }
  if (!field_to_axis.emplace(axis.field(), name).second) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": another axis varies the same field"));
  }
  if (sweep.mode() == ZIP && axis.values_size() != sweep.axes(0).values_size()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", axis.values_size(), " values, but ZIP mode needs ",
                                                   sweep.axes(0).values_size(), " (as many as axes[0])"));
  }
  return absl::OkStatus();
}

// Structure checks that need no file: axes, names, lengths, and overrides that would fight an axis.
absl::Status CheckStructure(const Sweep& sweep, const std::vector<std::string>& extra_overrides) {
  if (sweep.axes().empty() && sweep.seeds().empty()) {
    return absl::InvalidArgumentError("axes: a sweep needs at least one axis or one seed");
  }
  std::map<std::string, std::string> field_to_axis;
  std::set<std::string> names;
  for (int i = 0; i < sweep.axes_size(); ++i) {
    if (absl::Status s = CheckAxis(sweep, i, names, field_to_axis); !s.ok()) return s;
  }
  if (!sweep.seeds().empty()) field_to_axis.emplace("seed", "seed");
  // An override of a varied field would either be overwritten by the axis or silently make points identical.
  auto check = [&](const std::string& assignment, const std::string& origin) -> absl::Status {
    auto it = field_to_axis.find(Key(assignment));
    if (it == field_to_axis.end()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(origin, " '", assignment, "' sets ", it->first, ", which axis '",
                                                   it->second, "' varies; drop one of them"));
  };
  for (const std::string& o : sweep.overrides()) {
    if (absl::Status s = check(o, "overrides:"); !s.ok()) return s;
  }
  for (const std::string& o : extra_overrides) {
    if (absl::Status s = check(o, "--set"); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The axis value indices of every combination, in expansion order.
std::vector<std::vector<int>> Combinations(const Sweep& sweep) {
  std::vector<std::vector<int>> out;
  const int axes = sweep.axes_size();
  if (sweep.mode() == ZIP) {
    const int n = axes == 0 ? 1 : sweep.axes(0).values_size();
    for (int i = 0; i < n; ++i) out.emplace_back(axes, i);
    return out;
  }
  std::vector<int> index(axes, 0);
  while (true) {
    out.push_back(index);
    int a = axes - 1;  // odometer: the last axis turns fastest
    while (a >= 0 && ++index[a] == sweep.axes(a).values_size()) index[a--] = 0;
    if (a < 0) return out;
  }
}

}  // namespace

absl::StatusOr<Sweep> ParseSweepText(const std::string& text, const std::string& source_name) {
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  Sweep sweep;
  if (!parser.ParseFromString(text, &sweep)) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": ", errors.error()));
  }
  return sweep;
}

absl::StatusOr<std::vector<SweepPoint>> ExpandSweep(const Sweep& sweep,
                                                    const std::vector<std::string>& extra_overrides) {
  if (absl::Status s = CheckStructure(sweep, extra_overrides); !s.ok()) return s;
  std::vector<std::string> fixed(sweep.overrides().begin(), sweep.overrides().end());
  fixed.insert(fixed.end(), extra_overrides.begin(), extra_overrides.end());
  const std::vector<std::vector<int>> combinations = Combinations(sweep);
  std::vector<std::string> seeds;
  for (uint64_t seed : sweep.seeds()) seeds.push_back(absl::StrCat(seed));
  const bool seeded = !seeds.empty();
  if (!seeded) seeds.push_back("");
  std::vector<SweepPoint> points;
  std::map<std::string, size_t> index_of_name;
  for (const std::string& seed : seeds) {
    for (const std::vector<int>& combination : combinations) {
      SweepPoint point;
      point.overrides = fixed;
      std::vector<std::string> parts;
      for (int a = 0; a < sweep.axes_size(); ++a) {
        const SweepAxis& axis = sweep.axes(a);
        const std::string& value = axis.values(combination[a]);
        point.values.emplace_back(AxisName(axis), value);
        point.overrides.push_back(absl::StrCat(axis.field(), "=", value));
        parts.push_back(absl::StrCat(AxisName(axis), "=", SafeValue(value)));
      }
      if (seeded) {
        point.values.emplace_back("seed", seed);
        point.overrides.push_back(absl::StrCat("seed=", seed));
        parts.push_back(absl::StrCat("seed=", seed));
      }
      point.name = absl::StrJoin(parts, "__");
      if (point.name.size() > kMaxPointName) {
        return absl::InvalidArgumentError(absl::StrCat("point '", point.name.substr(0, 60), "...': name longer than ",
                                                       kMaxPointName, " characters; use shorter axis values"));
      }
      auto [it, inserted] = index_of_name.emplace(point.name, points.size());
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(
            "points ", it->second + 1, " and ", points.size() + 1, " are both named '", point.name,
            "' (a value or seed listed twice, or values that differ only in characters a folder name cannot hold)"));
      }
      points.push_back(std::move(point));
    }
  }
  return points;
}

absl::StatusOr<SweepPlan> LoadSweep(const std::string& path, const std::vector<std::string>& extra_overrides) {
  if (absl::Status s = base::CheckReadableFile(path, "sweep file"); !s.ok()) {
    if (s.code() == absl::StatusCode::kNotFound) return absl::NotFoundError(absl::StrCat(path, ": cannot open sweep file"));
    return s;
  }
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat(path, ": cannot open sweep file"));
  std::stringstream text;
  text << file.rdbuf();
  absl::StatusOr<Sweep> sweep = ParseSweepText(text.str(), path);
  if (!sweep.ok()) return sweep.status();
  SweepPlan plan;
  plan.sweep = *sweep;
  if (sweep->base().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": base: required (the experiment file the sweep varies, relative to this file)"));
  }
  const size_t slash = path.rfind('/');
  plan.base_path = sweep->base().front() == '/' || slash == std::string::npos
                       ? sweep->base()
                       : absl::StrCat(path.substr(0, slash + 1), sweep->base());
  if (!std::ifstream(plan.base_path)) {
    return absl::NotFoundError(absl::StrCat(path, ": base: cannot open '", plan.base_path,
                                            "' (a relative base is relative to the sweep file's folder)"));
  }
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSweep(*sweep, extra_overrides);
  if (!points.ok()) return absl::Status(points.status().code(), absl::StrCat(path, ": ", points.status().message()));
  plan.points = std::move(*points);
  for (size_t i = 0; i < plan.points.size(); ++i) {
    SweepPoint& point = plan.points[i];
    absl::StatusOr<Experiment> experiment = LoadExperiment(plan.base_path, point.overrides);
    if (!experiment.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": point '", point.name, "' (", i + 1, " of ",
                                                     plan.points.size(), "): ", experiment.status().message()));
    }
    point.experiment = std::move(*experiment);
  }
  return plan;
}

}  // namespace zegclip::config
