// The iteration-based, model-agnostic training loop. Each iteration:
//   hooks' BeforeStep (the LrScheduler first) -> zero_grad -> StepFn (batch + forward) -> backward -> bucketed
//   gradient allreduce (mean over ranks) -> optional grad-norm clipping -> optimizer step -> hooks' AfterStep (in
//   priority order: progress and records, the metrics line every log_interval, a checkpoint every
//   checkpoint_interval, evaluation hooks). With bf16_autocast on a CUDA machine the StepFn runs under bf16 autocast.
// The periodic work is hooks (trainer_hook.h, standard_hooks.h); the trainer adds the LrScheduler, MetricsWriter and
// PeriodicCheckpointer from its options, and keeps what makes checkpoints safe: resume, the final checkpoint,
// pruning, divergence handling.
// At start it resumes from the newest <work_dir>/iter_<N>.ckpt (rank 0 picks it, every rank loads it, every hook
// restores its state from it), then broadcasts parameters and buffers from rank 0 so all ranks start identical.
// A final checkpoint is always written. Resuming reproduces the uninterrupted run bit for bit (model, AdamW state,
// iteration, every rank's RNG, and every hook's SaveState, e.g. a data loader's position).
//
// Failures: an error from the step or a hook, a non-finite loss (checked before backward, so no update and no
// checkpoint happens) or an unwritable checkpoint is returned as a status on a 1-rank run; with several ranks it
// aborts every rank with that message (a lone failing rank would leave the others blocked in the next collective).
// No bad checkpoint becomes the resume point: rank 0 holds a RunDirectoryLock on work_dir for the whole run (a
// second writer is refused); a state with NaN/inf is never written (checkpoint.h); older checkpoints are pruned
// only once a step from the newest one has given a finite loss, and when the first step from a checkpoint diverges
// (rank 0's loss not finite) that checkpoint is renamed iter_<N>.ckpt.diverged, so a restart resumes from the last
// good one, which the error names. A resume whose newest checkpoint is unreadable, corrupt or non-finite fails
// naming the newest good one.
//
// Example:
//   ParamGroups groups = ParamGroups::Build(NamedParameters(*model), group_options);
//   auto adamw = groups.MakeAdamW();
//   Trainer trainer(options, *model, *adamw, groups, LrSchedule(schedule_options), *comm);
//   trainer.AddHook(std::make_unique<EvalHook>(1000, [&](int64_t iter) { return evaluator.Run(*model); }));
//   absl::Status s = trainer.Run(MakeStepFn(loader.NextFn(), &segmentor_step));
#ifndef ZEGCLIP_TRAIN_TRAINER_H_
#define ZEGCLIP_TRAIN_TRAINER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "zegclip/distributed/communicator.h"
#include "zegclip/distributed/gradient_bucketer.h"
#include "zegclip/report/run_directory_lock.h"
#include "zegclip/train/checkpoint_folder.h"
#include "zegclip/train/lr_schedule.h"
#include "zegclip/train/metrics_log.h"
#include "zegclip/train/param_groups.h"
#include "zegclip/train/standard_hooks.h"
#include "zegclip/train/train_step.h"
#include "zegclip/train/trainer_hook.h"

namespace zegclip::train {

struct TrainerOptions {
  std::string work_dir;               // metrics.jsonl and iter_<N>.ckpt; created if missing
  int64_t max_iters = 1000;
  int64_t log_interval = 50;          // <= 0: no metrics lines
  int64_t checkpoint_interval = 0;    // <= 0: only the final checkpoint
  double grad_clip_norm = 0;          // <= 0: no clipping (L2 norm over all trainable parameters)
  bool resume = true;                 // continue from the newest checkpoint in work_dir
  int keep_last = 3;                  // newest checkpoints kept in work_dir (the final one always); <= 0: all
  bool bf16_autocast = false;         // the step's forward under bf16 autocast: CUDA, else a CPU with native bf16
  distributed::BucketOptions buckets;
  std::map<std::string, std::string> metadata;  // stored in every checkpoint (e.g. the resolved config)
  bool print = true;                  // rank 0 echoes each metrics line to stdout
};

class Trainer {
 public:
  // Everything passed by reference must outlive the trainer. `optimizer` must have been made from `groups`.
  Trainer(TrainerOptions options, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
          const ParamGroups& groups, const LrSchedule& schedule, distributed::Communicator& comm);

  // Runs `hook` in priority order (after the hooks of its priority added before it).
  void AddHook(std::unique_ptr<TrainerHook> hook);

  absl::Status Run(const StepFn& step);
  absl::Status Run(BatchSource next_batch, TrainStep& step) { return Run(MakeStepFn(std::move(next_batch), &step)); }

  // Iterations completed.
  int64_t iter() const { return iter_; }

  // For hooks.
  const TrainerOptions& options() const { return options_; }
  torch::nn::Module& model() { return model_; }
  distributed::Communicator& comm() { return comm_; }
  // One metrics.jsonl line {"mode": mode, numbers...}, echoed to stdout when options.print (rank 0; others: no-op).
  absl::Status WriteMetrics(const std::string& mode, const std::vector<std::pair<std::string, double>>& numbers);
  // Writes iter_<iter>.ckpt with every hook's state. Collective: every rank calls it at the same iteration.
  absl::Status SaveCheckpoint(int64_t iter);

  static std::string CheckpointPath(const std::string& work_dir, int64_t iter);
  // The iteration of the newest iter_<N>.ckpt in work_dir, if any (temp files of an interrupted write ignored).
  static std::optional<int64_t> LatestCheckpointIter(const std::string& work_dir);
  // The iterations of every iter_<N>.ckpt in work_dir, ascending.
  static std::vector<int64_t> CheckpointIters(const std::string& work_dir);

 private:
  absl::Status Fail(absl::Status status);
  absl::Status Start();
  absl::Status Resume();
  absl::Status OneStep(const StepFn& step);
  void PruneCheckpoints();
  absl::Status Diverged(absl::Status status);
  absl::Status ResumeError(const std::string& path, const absl::Status& status) const;

  TrainerOptions options_;
  torch::nn::Module& model_;
  torch::optim::Optimizer& optimizer_;
  distributed::Communicator& comm_;
  std::unique_ptr<distributed::GradientBucketer> bucketer_;
  CheckpointFolder folder_;
  std::vector<std::unique_ptr<TrainerHook>> hooks_;  // in priority order
  MetricsLog metrics_;
  int64_t iter_ = 0;
  int64_t last_saved_iter_ = -1;
  // A checkpoint written since the last step: kept with its predecessors until a step from it proves finite.
  bool unproven_checkpoint_ = false;
  bool diverged_ = false;  // the failing step's loss was not finite
  std::optional<report::RunDirectoryLock> lock_;  // rank 0: one writer per work_dir
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_TRAINER_H_
