#include "zegclip/train/trainer.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "zegclip/dist/single_communicator.h"
#include "zegclip/train/checkpoint.h"

namespace zegclip::train {
namespace {

using ::testing::HasSubstr;

// Linear regression with a dropout layer in front (so resuming must restore the RNG exactly).
struct RegressorImpl : torch::nn::Module {
  explicit RegressorImpl(double dropout)
      : drop(register_module("drop", torch::nn::Dropout(dropout))),
        fc(register_module("fc", torch::nn::Linear(3, 1))) {}
  at::Tensor forward(const at::Tensor& x) { return fc(drop(x)); }
  torch::nn::Dropout drop;
  torch::nn::Linear fc;
};
TORCH_MODULE(Regressor);

const at::Tensor& TrueWeights() {
  static const at::Tensor w = at::tensor({3.0f, -2.0f, 0.5f}).view({3, 1});
  return w;
}

// A regression batch as the data package delivers it: images = x (B, 3), labels = y (B, 1). Drawn from the global RNG.
absl::StatusOr<data::Batch> NextBatch() {
  data::Batch batch;
  batch.images = at::randn({32, 3});
  batch.labels = batch.images.matmul(TrueWeights()) + 1.0;
  return batch;
}

class RegressionStep : public TrainStep {
 public:
  explicit RegressionStep(Regressor model) : model_(std::move(model)) {}
  StepOutput Step(const data::Batch& batch) override {
    const at::Tensor err = model_->forward(batch.images) - batch.labels;
    const at::Tensor loss = err.pow(2).mean();
    return {loss, {{"mae", err.abs().mean().item<double>()}}};
  }

 private:
  Regressor model_;
};

// One complete training setup; `seed` fixes the initial weights and the data stream.
struct Rig {
  Regressor model{nullptr};
  ParamGroups groups;
  std::unique_ptr<torch::optim::AdamW> adamw;
  LrSchedule schedule;
  dist::SingleCommunicator comm;
  std::unique_ptr<RegressionStep> step;
  std::unique_ptr<Trainer> trainer;

  Rig(uint64_t seed, TrainerOptions options, double dropout = 0.0, LrScheduleOptions lr = {LrPolicy::kPoly, 300, 0.9,
                                                                                            1e-4, 10, 1e-3})
      : schedule(lr) {
    at::manual_seed(seed);
    model = Regressor(dropout);
    groups = ParamGroups::Build(NamedParameters(*model), ParamGroupOptions{0.1, 0.0, {{"bias", 2.0, 0.0}}});
    adamw = groups.MakeAdamW();
    step = std::make_unique<RegressionStep>(model);
    options.print = false;
    trainer = std::make_unique<Trainer>(options, *model, *adamw, groups, schedule, comm);
  }
  absl::Status Run() { return trainer->Run(NextBatch, *step); }
};

TrainerOptions Options(const std::string& dir_name, int64_t max_iters) {
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

TEST(Trainer, LinearRegressionConvergesAndLogsMetrics) {
  Rig setup(1, Options("converge", 300));
  const absl::Status s = setup.Run();
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(setup.trainer->iter(), 300);
  EXPECT_TRUE(at::allclose(setup.model->fc->weight, TrueWeights().t(), 0, 1e-2)) << setup.model->fc->weight;
  EXPECT_NEAR(setup.model->fc->bias.item<double>(), 1.0, 1e-2);

  const std::vector<std::string> lines = ReadLines(::testing::TempDir() + "/converge/metrics.jsonl");
  ASSERT_EQ(lines.size(), 6u);  // iterations 50, 100, ..., 300
  EXPECT_THAT(lines[0], HasSubstr("{\"mode\": \"train\", \"iter\": 50, \"lr\": "));
  EXPECT_THAT(lines[0], HasSubstr("\"mae\": "));
  // The logged lr is the schedule's lr of the step that ended the interval (iteration index 49), group 0.
  const double lr49 = setup.schedule.LrAt(49, 0.1);
  EXPECT_THAT(lines[0], HasSubstr(absl::StrFormat("\"lr\": %.17g", lr49)));
  // The last interval's mean loss is small.
  const size_t at = lines[5].find("\"loss\": ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_LT(std::stod(lines[5].substr(at + 8)), 1e-3) << lines[5];
  EXPECT_TRUE(std::filesystem::exists(::testing::TempDir() + "/converge/iter_300.ckpt"));
}

TEST(Trainer, ResumeFromTheLatestCheckpointIsBitIdentical) {
  TrainerOptions straight_options = Options("straight", 10);
  straight_options.checkpoint_interval = 5;
  Rig straight(3, straight_options, /*dropout=*/0.2);
  ASSERT_TRUE(straight.Run().ok());

  TrainerOptions first_options = Options("resumed", 5);
  Rig first(3, first_options, 0.2);
  ASSERT_TRUE(first.Run().ok());  // writes iter_5.ckpt
  first_options.max_iters = 10;
  Rig second(99, first_options, 0.2);  // other weights and RNG: all must come from iter_5.ckpt
  const absl::Status s = second.Run();
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(second.trainer->iter(), 10);
  EXPECT_TRUE(at::equal(second.model->fc->weight, straight.model->fc->weight));
  EXPECT_TRUE(at::equal(second.model->fc->bias, straight.model->fc->bias));
  const std::vector<std::string> lines = ReadLines(first_options.work_dir + "/metrics.jsonl");
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines, ::testing::Contains(HasSubstr("\"mode\": \"resume\"")));
  EXPECT_EQ(Trainer::LatestCheckpointIter(first_options.work_dir).value(), 10);
}

TEST(Trainer, ClipsTheGradientNorm) {
  class NormHook : public TrainerHook {
   public:
    NormHook(Regressor model, std::vector<double>* before, std::vector<double>* after)
        : model_(std::move(model)), before_(before), after_(after) {}
    absl::Status AfterStep(const StepRecord& record) override {
      before_->push_back(record.grad_norm);
      double sq = 0;
      for (const at::Tensor& p : model_->parameters()) sq += p.grad().pow(2).sum().item<double>();
      after_->push_back(std::sqrt(sq));
      return absl::OkStatus();
    }

   private:
    Regressor model_;
    std::vector<double>* before_;
    std::vector<double>* after_;
  };
  TrainerOptions o = Options("clip", 5);
  o.grad_clip_norm = 0.01;
  Rig setup(4, o);
  std::vector<double> before, after;
  setup.trainer->AddHook(std::make_unique<NormHook>(setup.model, &before, &after));
  ASSERT_TRUE(setup.Run().ok());
  ASSERT_EQ(before.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_GT(before[i], 0.01);              // the regression gradient is large at the start
    EXPECT_NEAR(after[i], 0.01, 1e-6);       // clipped to the limit
  }
}

TEST(Trainer, EvalRunsInEvalModeAndIsLogged) {
  TrainerOptions o = Options("eval", 20);
  o.eval_interval = 10;
  o.checkpoint_interval = 10;
  Rig setup(5, o);
  std::vector<int64_t> calls;
  setup.trainer->SetEval([&](int64_t iter) -> absl::StatusOr<std::map<std::string, double>> {
    EXPECT_FALSE(setup.model->is_training());
    calls.push_back(iter);
    return std::map<std::string, double>{{"mIoU", 0.25 * iter}};
  });
  ASSERT_TRUE(setup.Run().ok());
  EXPECT_EQ(calls, (std::vector<int64_t>{10, 20}));
  EXPECT_TRUE(setup.model->is_training());
  const std::vector<std::string> lines = ReadLines(o.work_dir + "/metrics.jsonl");
  EXPECT_THAT(lines, ::testing::Contains("{\"mode\": \"eval\", \"iter\": 20, \"mIoU\": 5}"));
}

TEST(Trainer, ExtraStateTravelsInCheckpoints) {
  TrainerOptions o = Options("extra", 4);
  o.metadata = {{"config", "train { max_iters: 4 }"}};
  Rig first(6, o);
  int position = 0;
  first.trainer->SetExtraState([&] { return std::map<std::string, std::string>{{"loader.position", std::to_string(++position)}}; },
                               [](const std::map<std::string, std::string>&) { return absl::OkStatus(); });
  ASSERT_TRUE(first.Run().ok());
  o.max_iters = 6;
  Rig second(6, o);
  std::map<std::string, std::string> restored;
  second.trainer->SetExtraState([] { return std::map<std::string, std::string>{}; },
                                [&](const std::map<std::string, std::string>& m) {
                                  restored = m;
                                  return absl::OkStatus();
                                });
  ASSERT_TRUE(second.Run().ok());
  EXPECT_EQ(restored.at("loader.position"), "1");
  EXPECT_EQ(restored.at("config"), "train { max_iters: 4 }");
}

TEST(Trainer, StepErrorsAndNonFiniteLossesStopTrainingWithTheIteration) {
  Rig setup(7, Options("errors", 10));
  int calls = 0;
  absl::Status s = setup.trainer->Run([&]() -> absl::StatusOr<StepOutput> {
    if (++calls == 3) return absl::NotFoundError("voc/JPEGImages/x.jpg: no such file");
    return StepOutput{(setup.model->fc->weight.sum() * 0), {}};
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "iteration 2: voc/JPEGImages/x.jpg: no such file");

  Rig throwing(7, Options("throwing", 10));
  s = throwing.trainer->Run([&]() -> absl::StatusOr<StepOutput> {
    TORCH_CHECK(false, "decoder: expected 512 channels, got 3");
    return StepOutput{};
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(s.message()), HasSubstr("iteration 0: decoder: expected 512 channels, got 3"));

  Rig nan_setup(7, Options("nan", 10));
  s = nan_setup.trainer->Run([&]() -> absl::StatusOr<StepOutput> {
    return StepOutput{nan_setup.model->fc->weight.sum() * std::numeric_limits<double>::quiet_NaN(), {}};
  });
  EXPECT_THAT(std::string(s.message()), HasSubstr("iteration 0: the loss is nan on rank 0"));
}

TEST(Trainer, KeepsTheLastNCheckpointsAndTheFinalOne) {
  TrainerOptions options = Options("keep", 11);
  options.checkpoint_interval = 2;
  options.keep_last = 2;
  Rig setup(3, options);
  ASSERT_TRUE(setup.Run().ok());
  // Saved: 2, 4, 6, 8, 10 and the final 11; the two newest stay.
  EXPECT_EQ(Trainer::CheckpointIters(options.work_dir), (std::vector<int64_t>{10, 11}));

  options = Options("keep_one", 6);
  options.checkpoint_interval = 2;
  options.keep_last = 1;
  Rig one(3, options);
  ASSERT_TRUE(one.Run().ok());
  EXPECT_EQ(Trainer::CheckpointIters(options.work_dir), (std::vector<int64_t>{6}));

  options = Options("keep_all", 6);
  options.checkpoint_interval = 1;
  options.keep_last = 0;
  Rig all(3, options);
  ASSERT_TRUE(all.Run().ok());
  EXPECT_EQ(Trainer::CheckpointIters(options.work_dir), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
}

TEST(Trainer, NonFiniteLossStopsAndKeepsTheLastGoodCheckpoint) {
  TrainerOptions options = Options("nan_keep", 10);
  options.checkpoint_interval = 2;
  options.keep_last = 1;
  Rig setup(7, options);
  int calls = 0;
  at::Tensor weights_before_nan;
  absl::Status s = setup.trainer->Run([&]() -> absl::StatusOr<StepOutput> {
    const at::Tensor w = setup.model->fc->weight;
    if (++calls < 6) return StepOutput{(w - 1).pow(2).sum(), {}};
    weights_before_nan = w.detach().clone();
    return StepOutput{w.sum() * std::numeric_limits<double>::infinity() * 0, {}};  // NaN at iteration 5
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("iteration 5: the loss is nan on rank 0"));
  EXPECT_EQ(setup.trainer->iter(), 5);
  // No checkpoint of the failed step; the last good one (iteration 4) survives pruning and still loads.
  EXPECT_EQ(Trainer::CheckpointIters(options.work_dir), (std::vector<int64_t>{4}));
  // The failed step changed nothing: the model still holds the weights of iteration 5's start (= after 5 updates).
  EXPECT_TRUE(setup.model->fc->weight.equal(weights_before_nan));
  Rig reloaded(99, Options("nan_reload", 4));
  TrainingState state;
  ASSERT_TRUE(LoadCheckpoint(Trainer::CheckpointPath(options.work_dir, 4), *reloaded.model, reloaded.adamw.get(),
                             &state).ok());
  EXPECT_EQ(state.iter, 4);
  EXPECT_FALSE(reloaded.model->fc->weight.equal(weights_before_nan));  // iteration 4's weights, one update earlier
}

TEST(Trainer, AStrayTempFileOfAnInterruptedWriteIsIgnoredAndRemoved) {
  TrainerOptions options = Options("stray", 4);
  options.checkpoint_interval = 2;
  Rig first(5, options);
  ASSERT_TRUE(first.Run().ok());
  // A crash mid-write of iteration 6: half a checkpoint under the temp name.
  std::ifstream in(Trainer::CheckpointPath(options.work_dir, 4), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string stray = Trainer::CheckpointPath(options.work_dir, 6) + ".tmp.12345";
  std::ofstream(stray, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_EQ(Trainer::LatestCheckpointIter(options.work_dir).value(), 4);

  options.max_iters = 8;
  Rig second(5, options);
  ASSERT_TRUE(second.Run().ok());
  EXPECT_FALSE(std::filesystem::exists(stray));
  EXPECT_EQ(second.trainer->iter(), 8);
  EXPECT_EQ(Trainer::CheckpointIters(options.work_dir), (std::vector<int64_t>{4, 6, 8}));
}

TEST(Trainer, LatestCheckpointComparesIterationsNumerically) {
  const std::string dir = ::testing::TempDir() + "/latest";
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(Trainer::LatestCheckpointIter(dir).has_value());
  std::filesystem::create_directories(dir);
  for (const char* name : {"iter_9.ckpt", "iter_10.ckpt", "iter_2.ckpt", "iter_11.ckpt.tmp", "notes.txt"}) {
    std::ofstream(dir + "/" + name) << "x";
  }
  EXPECT_EQ(Trainer::LatestCheckpointIter(dir).value(), 10);
}

}  // namespace
}  // namespace zegclip::train
