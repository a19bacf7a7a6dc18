#include "zegclip/engine/resumable_loader.h"

#include <torch/nn/modules/linear.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "zegclip/distributed/single_communicator.h"
#include "zegclip/testing/temp_path.h"
#include "zegclip/train/checkpoint.h"
#include "zegclip/train/trainer.h"

namespace zegclip::engine {
namespace {

using ::testing::HasSubstr;

// Sample i is one pixel of value i: a batch's ids say which samples it holds.
class CountingDataset : public data::Dataset {
 public:
  int64_t size() const override { return 10; }
  absl::StatusOr<data::Sample> Get(int64_t index) const override {
    data::Sample s;
    s.image = at::full({1, 1, 3}, index, at::kByte);
    s.label = at::zeros({1, 1}, at::kByte);
    s.id = std::to_string(index);
    return s;
  }
};

absl::StatusOr<data::TransformedSample> ToFloat(data::Sample s, data::SampleRng&) {
  return data::TransformedSample{s.image.permute({2, 0, 1}).to(at::kFloat), s.label.to(at::kLong), "", s.id, ""};
}

data::LoaderOptions Options() {
  data::LoaderOptions o;
  o.batch_size = 2;  // 5 batches per epoch: the runs below cross epochs
  o.num_workers = 1;
  o.seed = 7;
  return o;
}

std::unique_ptr<ResumableLoader> MakeLoader() {
  return std::make_unique<ResumableLoader>(std::make_shared<CountingDataset>(), ToFloat, Options());
}

// Trains a 1-weight regression for `max_iters` in `dir`, drawing `batches_per_step` batches per step (as gradient
// accumulation would); returns the ids of every batch drawn and leaves the final weight in *weight.
std::vector<std::string> Train(const std::string& dir, int64_t max_iters, int batches_per_step, float* weight) {
  at::manual_seed(1);
  torch::nn::Linear model(torch::nn::LinearOptions(3, 1).bias(false));
  train::ParamGroups groups = train::ParamGroups::Build(train::NamedParameters(*model), {0.1, 0.0, {}});
  std::unique_ptr<torch::optim::AdamW> adamw = groups.MakeAdamW();
  train::LrSchedule schedule({train::LrPolicy::kPoly, 100, 0.9, 0, 0, 1e-3});
  distributed::SingleCommunicator comm;
  train::TrainerOptions options;
  options.work_dir = dir;
  options.max_iters = max_iters;
  options.checkpoint_interval = 2;
  options.print = false;
  train::Trainer trainer(options, *model, *adamw, groups, schedule, comm);
  std::unique_ptr<ResumableLoader> loader = MakeLoader();
  ResumableLoader* batches = loader.get();
  trainer.AddHook(std::move(loader));
  std::vector<std::string> ids;
  const absl::Status s = trainer.Run([&]() -> absl::StatusOr<train::StepOutput> {
    at::Tensor loss = at::zeros({});
    for (int k = 0; k < batches_per_step; ++k) {
      absl::StatusOr<data::Batch> batch = batches->Next();
      if (!batch.ok()) return batch.status();
      ids.insert(ids.end(), batch->ids.begin(), batch->ids.end());
      loss = loss + (model->forward(batch->images.flatten(1)) - 1).pow(2).mean();
    }
    return train::StepOutput{loss, {}};
  });
  EXPECT_TRUE(s.ok()) << s;
  *weight = model->weight.sum().item<float>();
  return ids;
}

TEST(ResumableLoader, AResumedRunDrawsTheBatchesTheUninterruptedRunDrew) {
  for (int batches_per_step : {1, 2}) {  // 2: the loader's position is not the iteration, so it must be saved
    SCOPED_TRACE(batches_per_step);
    float straight_weight = 0, resumed_weight = 0;
    const std::vector<std::string> straight =
        Train(testing::FreshTempDir("straight"), 7, batches_per_step, &straight_weight);
    const std::string dir = testing::FreshTempDir("resumed");
    std::vector<std::string> resumed = Train(dir, 3, batches_per_step, &resumed_weight);  // checkpoints 2 and 3
    const std::vector<std::string> rest = Train(dir, 7, batches_per_step, &resumed_weight);
    resumed.insert(resumed.end(), rest.begin(), rest.end());
    EXPECT_EQ(resumed, straight);
    EXPECT_EQ(resumed_weight, straight_weight);  // bit for bit

    train::TrainingState state;
    torch::nn::Linear probe(torch::nn::LinearOptions(3, 1).bias(false));
    ASSERT_TRUE(train::LoadCheckpoint(train::Trainer::CheckpointPath(dir, 7), *probe, nullptr, &state).ok());
    EXPECT_EQ(state.metadata.at(ResumableLoader::kStepKey), std::to_string(7 * batches_per_step));
  }
}

TEST(ResumableLoader, ACheckpointWithoutAPositionResumesAtItsIteration) {
  // Written by a build that saved no position: the loader starts at the iteration resumed from.
  ResumableLoader restored(std::make_shared<CountingDataset>(), ToFloat, Options());
  ASSERT_TRUE(restored.RestoreState({{"config", "..."}}).ok());
  ASSERT_TRUE(restored.BeforeTrain(3).ok());
  data::LoaderOptions at_three = Options();
  at_three.start_step = 3;
  std::unique_ptr<data::Loader> reference =
      *data::Loader::Create(std::make_shared<CountingDataset>(), ToFloat, at_three);
  EXPECT_EQ(restored.Next()->ids, reference->Next()->ids);
}

TEST(ResumableLoader, ABadPositionOrAnEarlyCallIsAnError) {
  std::unique_ptr<ResumableLoader> loader = MakeLoader();
  EXPECT_THAT(std::string(loader->Next().status().message()), HasSubstr("before the run started"));
  const absl::Status s = loader->RestoreState({{ResumableLoader::kStepKey, "-4"}});
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_EQ(s.message(), "'loader.step' is \"-4\", expected a step >= 0");
}

}  // namespace
}  // namespace zegclip::engine
