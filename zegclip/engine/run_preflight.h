// The checks a run makes before it starts working, so that a problem costs seconds instead of a training run: every
// split the run will read can be listed (train, val and eval.calibration_split, whose absence used to surface only
// after training), a training batch fits the train split, the checkpoints the config names are readable files, and
// model.clip's architecture fields agree with model.clip.checkpoint (they are read off the checkpoint, so a field
// that disagrees would be silently ignored, yet recorded in config.pbtxt). `zegclip validate-config` runs them too.
// Each failure is one error naming the field and the file, e.g.
//   "eval.calibration_split 'calib': split file not found: /w/ImageSets/Segmentation/calib.txt (expected layout: ...)"
//   "model.clip.context_length: 50, but the CLIP checkpoint c.pt has 77 (the architecture is read from ...)"
//
// Example:
//   absl::Status ready = CheckBeforeRun(experiment, {RunKind::kTrain, comm.size()});
#ifndef ZEGCLIP_ENGINE_RUN_PREFLIGHT_H_
#define ZEGCLIP_ENGINE_RUN_PREFLIGHT_H_

#include <cstdint>

#include "absl/status/status.h"
#include "zegclip/config/experiment.pb.h"

namespace zegclip::engine {

enum class RunKind {
  kTrain,       // reads train, val, calibration; builds on model.clip.checkpoint (+ train.init_checkpoint)
  kEval,        // reads val, calibration; builds on model.clip.checkpoint unless clip_checkpoint_needed is false
  kQuickstart,  // as kTrain, but writes model.clip.checkpoint itself (its pre-training stage)
  kValidate,    // validate-config: what train would check, a checkpoint only when the config names one
};

struct PreflightOptions {
  RunKind kind = RunKind::kTrain;
  int64_t world_size = 1;               // ranks sharing the training batches
  bool clip_checkpoint_needed = true;   // false: eval of an authors' checkpoint (the architecture is its own)
};

absl::Status CheckBeforeRun(const config::Experiment& experiment, const PreflightOptions& options);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_RUN_PREFLIGHT_H_
