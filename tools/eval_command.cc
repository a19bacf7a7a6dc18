// `zegclip eval --config=F --checkpoint=C --work_dir=D`: evaluates a trained ZegCLIP checkpoint on the validation
// split (whole image or sliding window, as eval.mode says); `--checkpoint=baseline` evaluates the training-free
// dense-similarity baseline of the experiment's CLIP instead, `--authors_checkpoint=F.tensors` an authors' release
// (converted by tools/convert_zegclip_checkpoint.py) with the experiment's data, templates and test settings.
// Writes D/eval.json, D/examples/, D/manifest.json and the report, and prints the table (engine/evaluate.h).
#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/engine/evaluate.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/engine/run_preflight.h"

DEFINE_string(checkpoint, "", "eval / segment / export-authors: a checkpoint written by `zegclip train` "
                              "(iter_N.ckpt); eval also takes 'baseline'");
DECLARE_string(authors_checkpoint);  // segment_command.cc

namespace zegclip::tools {

int RunEval(const CommandLine& command_line) {
  if (int bad = RequireConfigAndWorkDir("eval", FLAGS_config, FLAGS_work_dir)) return bad;
  if (FLAGS_checkpoint.empty() == FLAGS_authors_checkpoint.empty()) {
    std::cerr << "eval: exactly one of --checkpoint=FILE (or --checkpoint=baseline) and --authors_checkpoint=TENSORS "
                 "is required\n";
    return 2;
  }
  const engine::EvalTarget target{FLAGS_checkpoint, FLAGS_authors_checkpoint};
  const engine::StageOptions stage{FLAGS_work_dir, /*resume=*/false, command_line.invocation};
  return RunStageCommand("eval", FLAGS_config, command_line.overrides,
                         [&](const config::Experiment& e, distributed::Communicator& comm) {
    const engine::PreflightOptions preflight{engine::RunKind::kEval, comm.size(),
                                             /*clip_checkpoint_needed=*/target.authors_checkpoint.empty()};
    if (absl::Status ready = engine::CheckBeforeRun(e, preflight); !ready.ok()) return ready;
    absl::StatusOr<engine::EvalSummary> s = engine::Evaluate(e, target, stage, comm);
    if (!s.ok()) return s.status();
    if (comm.is_main()) std::cout << engine::FormatMetrics(s->record) << "\n  results: " << s->eval_json << "\n";
    return absl::OkStatus();
  });
}

}  // namespace zegclip::tools
