// Loading an experiment file: protobuf text format + command-line overrides + defaults filled in + validation.
//
// Example:
//   absl::StatusOr<Experiment> exp = LoadExperiment("experiments/voc_inductive.pbtxt", {"train.max_iters=100"});
//   if (!exp.ok()) { std::cerr << exp.status().message() << "\n"; return 1; }
#ifndef ZEGCLIP_CONFIG_CONFIG_LOADER_H_
#define ZEGCLIP_CONFIG_CONFIG_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"

namespace zegclip::config {

// Parses `text` (protobuf text format). Syntax errors name `source_name`, line and column (1-based).
absl::StatusOr<Experiment> ParseExperimentText(const std::string& text, const std::string& source_name);

// Reads `path`, applies each "field.path=value" override in order, fills every default explicitly (so the
// printed config is the resolved one) and validates. Every error message starts with the file name.
absl::StatusOr<Experiment> LoadExperiment(const std::string& path, const std::vector<std::string>& overrides);

// The experiment as protobuf text, every field shown.
std::string ToText(const Experiment& experiment);

}  // namespace zegclip::config

#endif  // ZEGCLIP_CONFIG_CONFIG_LOADER_H_
