// `zegclip pretrain-clip --config=F --work_dir=D [--noresume] [--set ...]`: contrastive pre-training of a small CLIP
// on the synthetic world (engine/pretrain_clip.h); prints image→text retrieval for seen and unseen compositions.
#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"
#include "tools/stage_command.h"
#include "zegclip/engine/pretrain_clip.h"

namespace zegclip::tools {

int RunPretrainClip(const CommandLine& command_line) {
  if (FLAGS_config.empty() || FLAGS_work_dir.empty()) {
    std::cerr << "pretrain-clip: --config=FILE and --work_dir=DIR are required\n";
    return 2;
  }
  const engine::StageOptions stage{FLAGS_work_dir, FLAGS_resume, command_line.invocation};
  return RunStageCommand("pretrain-clip", FLAGS_config, command_line.overrides,
                         [&](const config::Experiment& e, distributed::Communicator& comm) {
    absl::StatusOr<report::PretrainRecord> s = engine::PretrainClip(e, stage, comm);
    if (!s.ok()) return s.status();
    if (comm.is_main()) std::cout << engine::FormatPretrainSummary(*s) << "\n";
    return absl::OkStatus();
  });
}

}  // namespace zegclip::tools
