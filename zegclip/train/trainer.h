// The iteration-based, model-agnostic training loop. Each iteration:
//   hooks' BeforeStep -> lr of every group from the schedule -> zero_grad -> StepFn (batch + forward) -> backward
//   -> bucketed gradient allreduce (mean over ranks) -> optional grad-norm clipping -> optimizer step
//   -> hooks' AfterStep -> every log_interval: metrics.jsonl line (means over the interval and the ranks)
//   -> every checkpoint_interval: checkpoint (atomic; older ones beyond keep_last deleted) -> every eval_interval:
//   the eval callback, logged too. With bf16_autocast on a CUDA machine the StepFn runs under bf16 autocast.
// At start it resumes from the newest <work_dir>/iter_<N>.ckpt (rank 0 picks it, every rank loads it), then
// broadcasts parameters and buffers from rank 0 so all ranks start identical. A final checkpoint is always written.
// Resuming reproduces the uninterrupted run bit for bit (model, AdamW state, iteration, every rank's RNG, and
// whatever SetExtraState saves, e.g. a data loader's position).
//
// Failures: an error from the step, a non-finite loss (checked before backward, so no update and no checkpoint
// happens) or an unwritable checkpoint is returned as a status on a 1-rank run; with several ranks it aborts every
// rank with that message (a lone failing rank would leave the others blocked in the next collective).
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
//   trainer.SetEval([&](int64_t iter) { return evaluator.Run(*model); });
//   absl::Status s = trainer.Run(MakeStepFn(loader.NextFn(), &segmentor_step));
#ifndef ZEGCLIP_TRAIN_TRAINER_H_
#define ZEGCLIP_TRAIN_TRAINER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "zegclip/distributed/communicator.h"
#include "zegclip/distributed/gradient_bucketer.h"
#include "zegclip/report/run_directory_lock.h"
#include "zegclip/train/lr_schedule.h"
#include "zegclip/train/metrics_log.h"
#include "zegclip/train/param_groups.h"
#include "zegclip/train/train_step.h"

namespace zegclip::train {

struct TrainerOptions {
  std::string work_dir;               // metrics.jsonl and iter_<N>.ckpt; created if missing
  int64_t max_iters = 1000;
  int64_t log_interval = 50;          // <= 0: no metrics lines
  int64_t checkpoint_interval = 0;    // <= 0: only the final checkpoint
  int64_t eval_interval = 0;          // <= 0: never
  double grad_clip_norm = 0;          // <= 0: no clipping (L2 norm over all trainable parameters)
  bool resume = true;                 // continue from the newest checkpoint in work_dir
  int keep_last = 3;                  // newest checkpoints kept in work_dir (the final one always); <= 0: all
  bool bf16_autocast = false;         // the step's forward under CUDA bf16 autocast (ignored without CUDA)
  distributed::BucketOptions buckets;
  std::map<std::string, std::string> metadata;  // stored in every checkpoint (e.g. the resolved config)
  bool print = true;                  // rank 0 echoes each metrics line to stdout
};

// What hooks see after each step (this rank's values).
struct StepRecord {
  int64_t iter = 0;       // iterations completed, this one included
  double lr = 0;          // the first parameter group's lr for this step
  double loss = 0;
  double grad_norm = 0;   // total gradient norm before clipping (NaN when clipping is off)
  double seconds = 0;     // wall time of the whole step
  const StepOutput* output = nullptr;
};

class TrainerHook {
 public:
  virtual ~TrainerHook() = default;
  // Once, after the start (work dir locked, resume checked and loaded, ranks in sync) and before the first step:
  // `start_iter` = iterations already completed (0 on a fresh run). What a run records about itself belongs here,
  // so a resume that fails leaves the run's records as they were.
  virtual absl::Status BeforeTrain(int64_t /*start_iter*/) { return absl::OkStatus(); }
  // `iter` = iterations completed before this step.
  virtual absl::Status BeforeStep(int64_t /*iter*/) { return absl::OkStatus(); }
  virtual absl::Status AfterStep(const StepRecord& /*record*/) { return absl::OkStatus(); }
};

// Runs on every rank with the model in eval mode; returns metrics to log (already reduced over ranks if needed).
using EvalFn = std::function<absl::StatusOr<std::map<std::string, double>>(int64_t iter)>;

class Trainer {
 public:
  // Everything passed by reference must outlive the trainer. `optimizer` must have been made from `groups`.
  Trainer(TrainerOptions options, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
          const ParamGroups& groups, const LrSchedule& schedule, distributed::Communicator& comm);

  void AddHook(std::unique_ptr<TrainerHook> hook) { hooks_.push_back(std::move(hook)); }
  void SetEval(EvalFn eval) { eval_ = std::move(eval); }
  // State outside the model kept in checkpoints as metadata strings (e.g. a loader's epoch and position).
  void SetExtraState(std::function<std::map<std::string, std::string>()> save,
                     std::function<absl::Status(const std::map<std::string, std::string>&)> restore) {
    save_extra_ = std::move(save);
    restore_extra_ = std::move(restore);
  }

  absl::Status Run(const StepFn& step);
  absl::Status Run(BatchSource next_batch, TrainStep& step) { return Run(MakeStepFn(std::move(next_batch), &step)); }

  // Iterations completed.
  int64_t iter() const { return iter_; }

  static std::string CheckpointPath(const std::string& work_dir, int64_t iter);
  // The iteration of the newest iter_<N>.ckpt in work_dir, if any (temp files of an interrupted write ignored).
  static std::optional<int64_t> LatestCheckpointIter(const std::string& work_dir);
  // The iterations of every iter_<N>.ckpt in work_dir, ascending.
  static std::vector<int64_t> CheckpointIters(const std::string& work_dir);

 private:
  struct Window {  // sums since the last metrics line
    int64_t steps = 0;
    double loss = 0, seconds = 0, grad_norm = 0;
    std::map<std::string, double> scalars;
  };

  absl::Status Fail(absl::Status status);
  absl::Status Start();
  absl::Status Resume();
  absl::Status OneStep(const StepFn& step);
  absl::Status LogWindow(int64_t iter);
  absl::Status SaveAt(int64_t iter);
  void PruneCheckpoints();
  void RemoveStrayTempFiles() const;
  // Not resuming: the work dir must hold no checkpoints (they would outrank this run's in resume and pruning).
  absl::Status CheckNoEarlierRun() const;
  absl::Status Diverged(absl::Status status);
  absl::Status ResumeError(const std::string& path, const absl::Status& status) const;
  absl::Status Evaluate(int64_t iter);

  TrainerOptions options_;
  torch::nn::Module& model_;
  torch::optim::Optimizer& optimizer_;
  const ParamGroups& groups_;
  const LrSchedule& schedule_;
  distributed::Communicator& comm_;
  std::unique_ptr<distributed::GradientBucketer> bucketer_;
  std::vector<std::unique_ptr<TrainerHook>> hooks_;
  EvalFn eval_;
  std::function<std::map<std::string, std::string>()> save_extra_;
  std::function<absl::Status(const std::map<std::string, std::string>&)> restore_extra_;
  MetricsLog metrics_;
  Window window_;
  int64_t iter_ = 0;
  int64_t last_saved_iter_ = -1;
  // A checkpoint written since the last step: kept with its predecessors until a step from it proves finite.
  bool unproven_checkpoint_ = false;
  bool diverged_ = false;  // the failing step's loss was not finite
  std::optional<report::RunDirectoryLock> lock_;  // rank 0: one writer per work_dir
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_TRAINER_H_
