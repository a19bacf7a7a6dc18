// `zegclip quickstart [--config=F] [--work_dir=D] [--force]`: the paper's whole experiment in the synthetic world
// (engine/quickstart.h): pre-train CLIP, the training-free baseline, train ZegCLIP, evaluate, report. Finished
// stages are reused on a second run unless --force.
#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/engine/quickstart.h"
#include "zegclip/engine/run_preflight.h"

DEFINE_bool(force, false, "quickstart: rerun every stage even if its results exist");

namespace zegclip::tools {

int RunQuickstart(const CommandLine& command_line) {
  const std::string config = FLAGS_config.empty() ? "experiments/synthetic_quickstart.pbtxt" : FLAGS_config;
  const engine::QuickstartOptions options{FLAGS_work_dir.empty() ? "runs/quickstart" : FLAGS_work_dir, FLAGS_force,
                                          command_line.invocation};
  return RunStageCommand("quickstart", config, command_line.overrides,
                         [&](const config::Experiment& e, distributed::Communicator& comm) {
    if (absl::Status ready = engine::CheckBeforeRun(e, {engine::RunKind::kQuickstart, comm.size()}); !ready.ok()) {
      return ready;
    }
    return engine::Quickstart(e, options, comm);
  });
}

}  // namespace zegclip::tools
