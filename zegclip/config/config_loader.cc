#include "zegclip/config/config_loader.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "zegclip/config/config_overrides.h"
#include "zegclip/config/config_validation.h"
#include "zegclip/config/fill_defaults.h"
#include "zegclip/base/path_check.h"

namespace zegclip::config {
namespace {

// Keeps the first error; protobuf reports 0-based line and column.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (!error_.empty()) return;
    error_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

}  // namespace

absl::StatusOr<Experiment> ParseExperimentText(const std::string& text, const std::string& source_name) {
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  Experiment experiment;
  if (!parser.ParseFromString(text, &experiment)) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": ", errors.error()));
  }
  return experiment;
}

absl::StatusOr<Experiment> LoadExperiment(const std::string& path, const std::vector<std::string>& overrides) {
  // Not found keeps its familiar wording; permission denied, a folder or a symlink loop say so, naming the file.
  if (absl::Status s = base::CheckReadableFile(path, "experiment file"); !s.ok()) {
    if (s.code() == absl::StatusCode::kNotFound) return absl::NotFoundError(absl::StrCat(path, ": cannot open experiment file"));
    return s;
  }
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat(path, ": cannot open experiment file"));
  std::stringstream text;
  text << file.rdbuf();
  absl::StatusOr<Experiment> experiment = ParseExperimentText(text.str(), path);
  if (!experiment.ok()) return experiment.status();
  for (const std::string& assignment : overrides) {
    absl::Status status = ApplyOverride(assignment, &*experiment);
    if (!status.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.message()));
  }
  FillDefaults(&*experiment);
  absl::Status valid = ValidateExperiment(*experiment);
  if (!valid.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", valid.message()));
  return experiment;
}

std::string ToText(const Experiment& experiment) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(experiment, &text);
  return text;
}

}  // namespace zegclip::config
