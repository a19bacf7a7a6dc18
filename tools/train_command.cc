// `zegclip train --config=F --work_dir=D [--noresume] [--set ...]`: trains ZegCLIP as the experiment says (resuming
// from D's newest checkpoint), evaluates on the validation split and writes D/eval.json, D/examples/, the report.
#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/engine/run_preflight.h"
#include "zegclip/engine/train_segmentor.h"

namespace zegclip::tools {

int RunTrain(const CommandLine& command_line) {
  if (int bad = RequireConfigAndWorkDir("train", FLAGS_config, FLAGS_work_dir)) return bad;
  const engine::StageOptions stage{FLAGS_work_dir, FLAGS_resume, command_line.invocation, FLAGS_profile_out};
  return RunStageCommand("train", FLAGS_config, command_line.overrides,
                         [&](const config::Experiment& e, distributed::Communicator& comm) {
    if (absl::Status ready = engine::CheckBeforeRun(e, {engine::RunKind::kTrain, comm.size()}); !ready.ok()) {
      return ready;
    }
    absl::StatusOr<engine::EvalSummary> s = engine::TrainSegmentor(e, stage, comm);
    if (!s.ok()) return s.status();
    if (comm.is_main()) std::cout << engine::FormatMetrics(s->record) << "\n  results: " << s->eval_json << "\n";
    return absl::OkStatus();
  });
}

}  // namespace zegclip::tools
