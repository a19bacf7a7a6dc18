// `zegclip validate-config --config=F [--set=a.b=v ...]`: prints the resolved config or one error line. Beyond the
// config itself it checks what `train` checks before it starts (zegclip/engine/run_preflight.h): the splits it would read
// can be listed, a batch fits, the checkpoints it names are readable and agree with model.clip;
// --nocheck_files checks the config alone (a file meant for another machine's data).
#include <gflags/gflags.h>

#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/engine/run_preflight.h"
#include "zegclip/config/class_split.h"
#include "zegclip/config/config_loader.h"

DEFINE_bool(check_files, true,
            "validate-config: also check the data splits and checkpoints the config names, as train does before it "
            "starts (--nocheck_files: the config alone)");

namespace zegclip::tools {

int RunValidateConfig(const CommandLine& command_line) {
  if (FLAGS_config.empty()) return UsageError("validate-config", "--config=FILE is required");
  absl::StatusOr<config::Experiment> experiment = config::LoadExperiment(FLAGS_config, command_line.overrides);
  if (!experiment.ok()) return RuntimeError(experiment.status());
  if (FLAGS_check_files) {
    if (absl::Status ready = engine::CheckBeforeRun(*experiment, {engine::RunKind::kValidate}); !ready.ok()) {
      std::cerr << "error: " << FLAGS_config << ": " << ready.message() << "\n";
      return 1;
    }
  }
  std::cout << config::ToText(*experiment);
  absl::StatusOr<config::ClassSplit> split = config::ResolveClassSplit(experiment->data());
  std::cout << "# valid: " << split->names.size() << " classes, " << split->seen.size() << " seen, "
            << split->unseen.size() << " unseen\n";
  return 0;
}

}  // namespace zegclip::tools
