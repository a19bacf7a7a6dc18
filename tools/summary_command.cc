// `zegclip summary --config=F [--set=a.b=v ...]`: the segmentor's parameter table (total, learnable, frozen per
// module, and learnable in the authors' convention) built from the config alone; no weights or data are read.
#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/engine/model_summary.h"

namespace zegclip::tools {

int RunSummary(const CommandLine& command_line) {
  if (FLAGS_config.empty()) return UsageError("summary", "--config=FILE is required");
  absl::StatusOr<config::Experiment> experiment = config::LoadExperiment(FLAGS_config, command_line.overrides);
  if (!experiment.ok()) return RuntimeError(experiment.status());
  absl::StatusOr<model::ParameterSummary> summary = engine::SummarizeExperiment(*experiment);
  if (!summary.ok()) {
    std::cerr << "error: " << FLAGS_config << ": " << summary.status().message() << "\n";
    return 1;
  }
  std::cout << FLAGS_config << ": " << experiment->name() << "\n" << model::FormatParameterSummary(*summary);
  return 0;
}

}  // namespace zegclip::tools
