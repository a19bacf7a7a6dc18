// What every stage of an experiment (engine/pretrain_clip.h, train_segmentor.h, evaluate.h) is told besides the
// experiment itself: where it writes, whether it resumes, and the command line it records. Explicit, so that no
// stage reads a global flag (quickstart and sweep call the stages with the values they choose).
#ifndef ZEGCLIP_ENGINE_STAGE_OPTIONS_H_
#define ZEGCLIP_ENGINE_STAGE_OPTIONS_H_

#include <string>

namespace zegclip::engine {

struct StageOptions {
  std::string work_dir;    // the run directory: config, records, checkpoints, results, report
  bool resume = true;      // continue from the newest checkpoint in work_dir; false sets an earlier run aside
  std::string invocation;  // the command line, recorded in manifest.json and history.jsonl
  std::string profile_dir; // non-empty: profile training steps 6-15 into it (train/profiler_hook.h)
};

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_STAGE_OPTIONS_H_
