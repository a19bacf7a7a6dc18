// The trainer's periodic work as hooks (detectron2's LRScheduler, PeriodicWriter, PeriodicCheckpointer, EvalHook).
// The trainer adds the first three from TrainerOptions; an evaluation is added by the stage that has something to
// evaluate.
//
// Example:
//   trainer.AddHook(std::make_unique<EvalHook>(/*interval=*/1000, [&](int64_t iter) { return evaluator.Run(); }));
#ifndef ZEGCLIP_TRAIN_STANDARD_HOOKS_H_
#define ZEGCLIP_TRAIN_STANDARD_HOOKS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <torch/optim/optimizer.h>

#include "absl/status/statusor.h"
#include "zegclip/train/lr_schedule.h"
#include "zegclip/train/param_groups.h"
#include "zegclip/train/trainer_hook.h"

namespace zegclip::train {

// Sets every parameter group's lr from the schedule before each step.
class LrScheduler : public TrainerHook {
 public:
  // All three must outlive the hook; `optimizer` was made from `groups`.
  LrScheduler(torch::optim::Optimizer& optimizer, const ParamGroups& groups, const LrSchedule& schedule)
      : optimizer_(optimizer), groups_(groups), schedule_(schedule) {}
  HookPriority priority() const override { return HookPriority::kVeryHigh; }
  absl::Status BeforeStep(int64_t iter) override;

 private:
  torch::optim::Optimizer& optimizer_;
  const ParamGroups& groups_;
  const LrSchedule& schedule_;
};

// Every `interval` iterations and after the last: one metrics line (mode "train") with the means over the
// interval on each rank, then over the ranks: loss, the step's named scalars, grad_norm (when clipping), time.
// A resumed run starts a fresh interval, so its first line averages the steps since the resume only.
class MetricsWriter : public TrainerHook {
 public:
  explicit MetricsWriter(int64_t interval) : interval_(interval) {}
  HookPriority priority() const override { return HookPriority::kBelowNormal; }
  absl::Status BeforeTrain(int64_t start_iter) override;
  absl::Status AfterStep(const StepRecord& record) override;

 private:
  struct Window {  // sums since the last line
    int64_t steps = 0;
    double loss = 0, seconds = 0, comm_wait_seconds = 0, grad_norm = 0;
    std::map<std::string, double> scalars;
  };
  absl::Status Write(const StepRecord& last);

  int64_t interval_;
  Window window_;
};

// A checkpoint every `interval` iterations (the trainer always writes the final one).
class PeriodicCheckpointer : public TrainerHook {
 public:
  explicit PeriodicCheckpointer(int64_t interval) : interval_(interval) {}
  HookPriority priority() const override { return HookPriority::kLow; }
  absl::Status AfterStep(const StepRecord& record) override;

 private:
  int64_t interval_;
};

// Runs on every rank with the model in eval mode; returns metrics to log (already reduced over ranks if needed).
using EvalFn = std::function<absl::StatusOr<std::map<std::string, double>>(int64_t iter)>;

// Every `interval` iterations: `eval` with the model in eval mode, its metrics as a line with mode "eval".
class EvalHook : public TrainerHook {
 public:
  EvalHook(int64_t interval, EvalFn eval) : interval_(interval), eval_(std::move(eval)) {}
  HookPriority priority() const override { return HookPriority::kVeryLow; }
  absl::Status AfterStep(const StepRecord& record) override;

 private:
  int64_t interval_;
  EvalFn eval_;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_STANDARD_HOOKS_H_
