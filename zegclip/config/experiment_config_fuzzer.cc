// Fuzz target: an experiment file as `train` reads it, from arbitrary bytes: protobuf text, `--set` overrides,
// defaults, validation. Input: the experiment text, then "\n--\n", then one override per line.
// Invariants: nothing crashes or throws; every error has a message; a config that loads and validates prints
// (ToText) to text that parses back to the same experiment, still valid.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/util/message_differencer.h>

#include "absl/strings/str_split.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/config/config_overrides.h"
#include "zegclip/config/config_validation.h"
#include "zegclip/config/fill_defaults.h"
#include "zegclip/testing/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zegclip::config;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find("\n--\n");
  const std::string text = input.substr(0, split);
  std::vector<std::string> overrides;
  if (split != std::string::npos) overrides = absl::StrSplit(input.substr(split + 4), '\n');

  absl::StatusOr<Experiment> experiment = ParseExperimentText(text, "fuzz.pbtxt");
  if (!experiment.ok()) {
    FUZZ_CHECK(!experiment.status().message().empty(), "a parse error without a message");
    return 0;
  }
  for (const std::string& assignment : overrides) {
    absl::Status s = ApplyOverride(assignment, &*experiment);
    if (!s.ok()) {
      FUZZ_CHECK(!s.message().empty(), "an override error without a message");
      return 0;
    }
  }
  FillDefaults(&*experiment);
  absl::Status valid = ValidateExperiment(*experiment);
  if (!valid.ok()) {
    FUZZ_CHECK(!valid.message().empty(), "a validation error without a message");
    return 0;
  }
  const std::string printed = ToText(*experiment);
  absl::StatusOr<Experiment> again = ParseExperimentText(printed, "printed.pbtxt");
  FUZZ_CHECK(again.ok(), "a valid config prints to text that does not parse: " + std::string(again.status().message()));
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*again, *experiment),
             "the printed config parses to a different experiment");
  FUZZ_CHECK(ValidateExperiment(*again).ok(), "the printed config no longer validates");
  return 0;
}
