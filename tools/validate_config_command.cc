// `zegclip validate-config --config=F [--set=a.b=v ...]`: prints the resolved config or one error line.
#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/config/class_split.h"
#include "zegclip/config/config_loader.h"

namespace zegclip::tools {

int RunValidateConfig(const CommandLine& command_line) {
  if (FLAGS_config.empty()) {
    std::cerr << "validate-config: --config=FILE is required\n";
    return 2;
  }
  absl::StatusOr<config::Experiment> experiment = config::LoadExperiment(FLAGS_config, command_line.overrides);
  if (!experiment.ok()) {
    std::cerr << "error: " << experiment.status().message() << "\n";
    return 1;
  }
  std::cout << config::ToText(*experiment);
  absl::StatusOr<config::ClassSplit> split = config::ResolveClassSplit(experiment->data());
  std::cout << "# valid: " << split->names.size() << " classes, " << split->seen.size() << " seen, "
            << split->unseen.size() << " unseen\n";
  return 0;
}

}  // namespace zegclip::tools
