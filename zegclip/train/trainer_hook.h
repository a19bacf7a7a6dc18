// The trainer's extension point, in the manner of detectron2's HookBase and mmcv's Hook: the periodic work around
// each step (learning rate, metrics lines, checkpoints, evaluation, progress, run records, a data loader's position)
// is a hook, and what a hook must carry across a restart travels in the checkpoint through SaveState/RestoreState,
// the same file the trainer resumes from.
//
// Hooks run in priority order (ties: the order added). The standard ones (standard_hooks.h) take the slots below,
// so a hook added with the default priority runs after the learning rate is set and before the metrics line, the
// checkpoint and the evaluation of the same iteration.
//
// Example:
//   class LossPrinter : public TrainerHook {
//     absl::Status AfterStep(const StepRecord& r) override { std::printf("%lld %g\n", r.iter, r.loss); return {}; }
//   };
//   trainer.AddHook(std::make_unique<LossPrinter>());
#ifndef ZEGCLIP_TRAIN_TRAINER_HOOK_H_
#define ZEGCLIP_TRAIN_TRAINER_HOOK_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "zegclip/train/train_step.h"

namespace zegclip::train {

class Trainer;

// What hooks see after each step (this rank's values).
struct StepRecord {
  int64_t iter = 0;       // iterations completed, this one included
  double lr = 0;          // the first parameter group's lr for this step
  double loss = 0;
  double grad_norm = 0;   // total gradient norm before clipping (NaN when clipping is off)
  double seconds = 0;     // wall time of the whole step
  double comm_wait_seconds = 0;  // of which waiting after backward for the gradient allreduce (several ranks)
  const StepOutput* output = nullptr;
};

enum class HookPriority : int {
  kVeryHigh = 10,     // LrScheduler: before anything else in BeforeStep
  kNormal = 50,       // the default: progress bar, run records, a loader's position
  kBelowNormal = 60,  // MetricsWriter
  kLow = 70,          // PeriodicCheckpointer: after the metrics line of the same iteration
  kVeryLow = 90,      // EvalHook: after the checkpoint, so an evaluation never changes what a resume restores
};

class TrainerHook {
 public:
  virtual ~TrainerHook() = default;
  virtual HookPriority priority() const { return HookPriority::kNormal; }

  // Once, after the start (work dir locked, resume checked and loaded, RestoreState called, ranks in sync) and
  // before the first step: `start_iter` = iterations already completed (0 on a fresh run). What a run records about
  // itself belongs here, so a resume that fails leaves the run's records as they were.
  virtual absl::Status BeforeTrain(int64_t /*start_iter*/) { return absl::OkStatus(); }
  // `iter` = iterations completed before this step.
  virtual absl::Status BeforeStep(int64_t /*iter*/) { return absl::OkStatus(); }
  virtual absl::Status AfterStep(const StepRecord& /*record*/) { return absl::OkStatus(); }

  // Adds what this hook needs after a restart to a checkpoint's metadata, on every rank (rank 0's is written). Keys
  // are namespaced by the hook ("loader.step"); values are exact (numbers as integers or %.17g).
  virtual void SaveState(std::map<std::string, std::string>* /*metadata*/) const {}
  // On resume, before BeforeTrain: the metadata of the checkpoint resumed from (written by SaveState, perhaps by an
  // older build that saved no such keys). An error stops the run before its first step.
  virtual absl::Status RestoreState(const std::map<std::string, std::string>& /*metadata*/) {
    return absl::OkStatus();
  }

 protected:
  // The trainer running this hook (set by Trainer::AddHook).
  Trainer& trainer() const { return *trainer_; }

 private:
  friend class Trainer;
  Trainer* trainer_ = nullptr;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_TRAINER_HOOK_H_
