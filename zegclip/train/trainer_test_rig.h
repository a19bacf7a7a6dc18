// The test rig the trainer's tests share: linear regression (with an optional dropout layer in front, so that
// resuming must restore the RNG exactly) trained by a real Trainer with AdamW parameter groups, a poly schedule and a
// one-rank communicator.
//
// Example:
//   Rig rig(/*seed=*/3, TrainerTestOptions("resume", /*max_iters=*/20));
//   ASSERT_TRUE(rig.Run().ok());
//   ReadLines(rig.trainer->options().work_dir + "/metrics.jsonl");
#ifndef ZEGCLIP_TRAIN_TRAINER_TEST_RIG_H_
#define ZEGCLIP_TRAIN_TRAINER_TEST_RIG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adamw.h>

#include "absl/status/statusor.h"
#include "zegclip/distributed/single_communicator.h"
#include "zegclip/train/lr_schedule.h"
#include "zegclip/train/param_groups.h"
#include "zegclip/train/train_step.h"
#include "zegclip/train/trainer.h"

namespace zegclip::train {

struct RegressorImpl : torch::nn::Module {
  explicit RegressorImpl(double dropout)
      : drop(register_module("drop", torch::nn::Dropout(dropout))),
        fc(register_module("fc", torch::nn::Linear(3, 1))) {}
  at::Tensor forward(const at::Tensor& x) { return fc(drop(x)); }
  torch::nn::Dropout drop;
  torch::nn::Linear fc;
};
TORCH_MODULE(Regressor);

// The weights the data come from: y = x . w + 1.
const at::Tensor& TrueWeights();

// A regression batch as the data package delivers it: images = x (B, 3), labels = y (B, 1). Drawn from the global RNG.
absl::StatusOr<data::Batch> NextBatch();

// Mean squared error; logs the mean absolute error as "mae".
class RegressionStep : public TrainStep {
 public:
  explicit RegressionStep(Regressor model) : model_(std::move(model)) {}
  StepOutput Step(const data::Batch& batch) override;

 private:
  Regressor model_;
};

// One complete training setup; `seed` fixes the initial weights and the data stream.
struct Rig {
  Regressor model{nullptr};
  ParamGroups groups;
  std::unique_ptr<torch::optim::AdamW> adamw;
  LrSchedule schedule;
  distributed::SingleCommunicator comm;
  std::unique_ptr<RegressionStep> step;
  std::unique_ptr<Trainer> trainer;

  Rig(uint64_t seed, TrainerOptions options, double dropout = 0.0,
      LrScheduleOptions lr = {LrPolicy::kPoly, 300, 0.9, 1e-4, 10, 1e-3});
  absl::Status Run() { return trainer->Run(NextBatch, *step); }
};

// Options for a run in a fresh folder `dir_name` under the test's temporary directory (emptied first).
TrainerOptions TrainerTestOptions(const std::string& dir_name, int64_t max_iters);

// The lines of a text file (empty if it cannot be read).
std::vector<std::string> ReadLines(const std::string& path);

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_TRAINER_TEST_RIG_H_
