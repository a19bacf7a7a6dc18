#include "zegclip/train/trainer_test_rig.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace zegclip::train {

const at::Tensor& TrueWeights() {
  static const at::Tensor w = at::tensor({3.0f, -2.0f, 0.5f}).view({3, 1});
  return w;
}

absl::StatusOr<data::Batch> NextBatch() {
  data::Batch batch;
  batch.images = at::randn({32, 3});
  batch.labels = batch.images.matmul(TrueWeights()) + 1.0;
  return batch;
}

StepOutput RegressionStep::Step(const data::Batch& batch) {
  const at::Tensor err = model_->forward(batch.images) - batch.labels;
  const at::Tensor loss = err.pow(2).mean();
  return {loss, {{"mae", err.abs().mean().item<double>()}}};
}

Rig::Rig(uint64_t seed, TrainerOptions options, double dropout, LrScheduleOptions lr) : schedule(lr) {
  at::manual_seed(seed);
  model = Regressor(dropout);
  groups = ParamGroups::Build(NamedParameters(*model), ParamGroupOptions{0.1, 0.0, {{"bias", 2.0, 0.0}}});
  adamw = groups.MakeAdamW();
  step = std::make_unique<RegressionStep>(model);
  options.print = false;
  trainer = std::make_unique<Trainer>(options, *model, *adamw, groups, schedule, comm);
}

TrainerOptions TrainerTestOptions(const std::string& dir_name, int64_t max_iters) {
  TrainerOptions o;
  o.work_dir = ::testing::TempDir() + "/" + dir_name;
  std::filesystem::remove_all(o.work_dir);
  o.max_iters = max_iters;
  o.log_interval = 50;
  return o;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace zegclip::train
