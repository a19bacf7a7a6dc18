// `zegclip pretrain-clip --config=F --work_dir=D [--noresume] [--set ...]`: contrastive pre-training of a small CLIP
// on the synthetic world (engine/pretrain_clip.h); prints image→text retrieval for seen and unseen compositions.
#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/engine/pretrain_clip.h"

namespace zegclip::tools {

int RunPretrainClip(const CommandLine& command_line) {
  if (int bad = RequireConfigAndWorkDir("pretrain-clip", FLAGS_config, FLAGS_work_dir)) return bad;
  const engine::StageOptions stage{FLAGS_work_dir, FLAGS_resume, command_line.invocation, FLAGS_profile_out};
  return RunStageCommand("pretrain-clip", FLAGS_config, command_line.overrides,
                         [&](const config::Experiment& e, distributed::Communicator& comm) {
    absl::StatusOr<report::PretrainRecord> s = engine::PretrainClip(e, stage, comm);
    if (!s.ok()) return s.status();
    if (comm.is_main()) std::cout << engine::FormatPretrainSummary(*s) << "\n";
    return absl::OkStatus();
  });
}

}  // namespace zegclip::tools
