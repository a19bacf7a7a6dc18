#include "zegclip/train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "zegclip/distributed/single_communicator.h"
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
  distributed::SingleCommunicator comm;
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

TEST(Trainer, StartingFromZeroBesideAnEarlierRunsCheckpointsIsRefused) {
  TrainerOptions options = Options("not_resumed", 5);
  Rig first(3, options);
  ASSERT_TRUE(first.Run().ok());  // iter_5.ckpt
  options.resume = false;
  options.max_iters = 3;
  Rig again(4, options);
  const absl::Status s = again.Run();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr(options.work_dir + " holds checkpoints of an earlier run (" + options.work_dir +
                        "/iter_5.ckpt): starting from iteration 0 would mix them"));
  EXPECT_EQ(again.trainer->iter(), 0);
  EXPECT_EQ(Trainer::CheckpointIters(options.work_dir), std::vector<int64_t>{5});  // nothing written or pruned
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
  o.checkpoint_interval = 10;
  Rig setup(5, o);
  std::vector<int64_t> calls;
  setup.trainer->AddHook(
      std::make_unique<EvalHook>(10, [&](int64_t iter) -> absl::StatusOr<std::map<std::string, double>> {
        EXPECT_FALSE(setup.model->is_training());
        calls.push_back(iter);
        return std::map<std::string, double>{{"mIoU", 0.25 * iter}};
      }));
  ASSERT_TRUE(setup.Run().ok());
  EXPECT_EQ(calls, (std::vector<int64_t>{10, 20}));
  EXPECT_TRUE(setup.model->is_training());
  const std::vector<std::string> lines = ReadLines(o.work_dir + "/metrics.jsonl");
  EXPECT_THAT(lines, ::testing::Contains("{\"mode\": \"eval\", \"iter\": 20, \"mIoU\": 5}"));
}

// Saves a counter with every checkpoint and reports what a resume restored.
class CounterHook : public TrainerHook {
 public:
  explicit CounterHook(std::map<std::string, std::string>* restored) : restored_(restored) {}
  absl::Status AfterStep(const StepRecord&) override {
    ++steps_;
    return absl::OkStatus();
  }
  void SaveState(std::map<std::string, std::string>* metadata) const override {
    (*metadata)["counter.steps"] = std::to_string(steps_);
  }
  absl::Status RestoreState(const std::map<std::string, std::string>& metadata) override {
    *restored_ = metadata;
    return metadata.count("counter.steps") ? absl::OkStatus() : absl::DataLossError("no 'counter.steps'");
  }

 private:
  int steps_ = 0;
  std::map<std::string, std::string>* restored_;
};

TEST(Trainer, HookStateTravelsInCheckpoints) {
  TrainerOptions o = Options("extra", 4);
  o.metadata = {{"config", "train { max_iters: 4 }"}};
  o.checkpoint_interval = 3;
  std::map<std::string, std::string> restored;
  Rig first(6, o);
  first.trainer->AddHook(std::make_unique<CounterHook>(&restored));
  ASSERT_TRUE(first.Run().ok());  // iter_3 (3 steps counted), then the final iter_4
  EXPECT_TRUE(restored.empty());
  o.max_iters = 6;
  Rig second(6, o);
  second.trainer->AddHook(std::make_unique<CounterHook>(&restored));
  ASSERT_TRUE(second.Run().ok());
  EXPECT_EQ(restored.at("counter.steps"), "4");
  EXPECT_EQ(restored.at("config"), "train { max_iters: 4 }");

  // A hook that cannot restore stops the run before its first step, naming the checkpoint.
  o.max_iters = 8;
  Rig third(6, o);
  class NoState : public TrainerHook {
    absl::Status RestoreState(const std::map<std::string, std::string>&) override {
      return absl::DataLossError("'loader.step' is missing");
    }
  };
  third.trainer->AddHook(std::make_unique<NoState>());
  const absl::Status s = third.Run();
  EXPECT_EQ(s.message(), Trainer::CheckpointPath(o.work_dir, 6) + ": 'loader.step' is missing");
  EXPECT_EQ(Trainer::LatestCheckpointIter(o.work_dir).value(), 6);
}

TEST(Trainer, HooksRunInPriorityOrder) {
  // Logs each hook's AfterStep; a metrics line and a checkpoint at every step show where the standard hooks run.
  class Probe : public TrainerHook {
   public:
    Probe(std::string name, HookPriority priority, std::vector<std::string>* log, const std::string& dir)
        : name_(std::move(name)), priority_(priority), log_(log), dir_(dir) {}
    HookPriority priority() const override { return priority_; }
    absl::Status AfterStep(const StepRecord& r) override {
      log_->push_back(name_ + " lines=" + std::to_string(ReadLines(dir_ + "/metrics.jsonl").size()) +
                      " ckpt=" + std::to_string(Trainer::CheckpointIters(dir_).size()));
      return absl::OkStatus();
    }

   private:
    std::string name_;
    HookPriority priority_;
    std::vector<std::string>* log_;
    std::string dir_;
  };
  TrainerOptions o = Options("order", 1);
  o.log_interval = 1;
  o.checkpoint_interval = 1;
  Rig setup(12, o);
  std::vector<std::string> log;
  setup.trainer->AddHook(std::make_unique<Probe>("last", HookPriority::kVeryLow, &log, o.work_dir));
  setup.trainer->AddHook(std::make_unique<Probe>("first", HookPriority::kNormal, &log, o.work_dir));
  setup.trainer->AddHook(std::make_unique<Probe>("second", HookPriority::kNormal, &log, o.work_dir));
  ASSERT_TRUE(setup.Run().ok());
  // Normal hooks in the order added, before the metrics line and the checkpoint; kVeryLow after both.
  EXPECT_EQ(log, (std::vector<std::string>{"first lines=0 ckpt=0", "second lines=0 ckpt=0", "last lines=1 ckpt=1"}));
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

// Runs 10 iterations (checkpoint every 2, keep 1) whose loss turns NaN at iteration `nan_at`.
struct DivergingRun {
  TrainerOptions options;
  Rig rig;
  absl::Status status;
  at::Tensor weights_before_nan;

  DivergingRun(const std::string& name, int nan_at) : options(Make(name)), rig(7, options) {
    int iteration = 0;
    status = rig.trainer->Run([&]() -> absl::StatusOr<StepOutput> {
      const at::Tensor w = rig.model->fc->weight;
      if (iteration++ < nan_at) return StepOutput{(w - 1).pow(2).sum(), {}};
      weights_before_nan = w.detach().clone();
      return StepOutput{w.sum() * std::numeric_limits<double>::infinity() * 0, {}};
    });
  }
  static TrainerOptions Make(const std::string& name) {
    TrainerOptions o = Options(name, 10);
    o.checkpoint_interval = 2;
    o.keep_last = 1;
    return o;
  }
};

TEST(Trainer, NonFiniteLossStopsAndKeepsTheLastGoodCheckpoint) {
  // Iteration 4 (the first from iter_4) was finite, so iter_2 was pruned; iteration 5 diverges.
  DivergingRun run("nan_keep", 5);
  EXPECT_EQ(run.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(run.status.message()), "iteration 5: the loss is nan on rank 0");
  EXPECT_EQ(run.rig.trainer->iter(), 5);
  EXPECT_EQ(Trainer::CheckpointIters(run.options.work_dir), (std::vector<int64_t>{4}));
  // The failed step changed nothing: the model still holds the weights of iteration 5's start (= after 5 updates).
  EXPECT_TRUE(run.rig.model->fc->weight.equal(run.weights_before_nan));
  Rig reloaded(99, Options("nan_reload", 4));
  TrainingState state;
  ASSERT_TRUE(LoadCheckpoint(Trainer::CheckpointPath(run.options.work_dir, 4), *reloaded.model, reloaded.adamw.get(),
                             &state).ok());
  EXPECT_EQ(state.iter, 4);
  EXPECT_FALSE(reloaded.model->fc->weight.equal(run.weights_before_nan));  // iteration 4's weights, one update earlier
}

TEST(Trainer, ACheckpointWhoseFirstStepDivergesIsSetAsideAndTheGoodOneKept) {
  // iter_6 was written after iteration 5; iteration 6, the first from it, diverges: every restart from iter_6 would
  // diverge the same way, so it is moved aside, and iter_4 (not pruned while iter_6 was unproven) is the resume point.
  DivergingRun run("nan_aside", 6);
  const std::string six = Trainer::CheckpointPath(run.options.work_dir, 6);
  EXPECT_EQ(run.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(run.status.message()),
            "iteration 6: the loss is nan on rank 0; the first step from " + six + " diverged, so it was moved to " +
                six + ".diverged and a restart resumes from " + Trainer::CheckpointPath(run.options.work_dir, 4) +
                " (lower train.lr or set train.grad_clip_norm first, or it diverges the same way)");
  EXPECT_EQ(Trainer::CheckpointIters(run.options.work_dir), (std::vector<int64_t>{4}));
  EXPECT_TRUE(std::filesystem::exists(six + ".diverged")) << "set aside, not deleted";

  // A restart resumes from iter_4 and, with a finite loss, runs to the end.
  TrainerOptions again = run.options;
  Rig restart(99, again);
  const absl::Status s = restart.Run();
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(restart.trainer->iter(), 10);
  const std::vector<std::string> lines = ReadLines(again.work_dir + "/metrics.jsonl");
  EXPECT_THAT(lines, ::testing::Contains(HasSubstr("iter_4.ckpt\", \"iter\": 4}")));
  EXPECT_EQ(Trainer::CheckpointIters(again.work_dir), (std::vector<int64_t>{10}));
}

TEST(Trainer, NonFiniteWeightsAreNeverSaved) {
  TrainerOptions options = Options("inf_weights", 6);
  options.checkpoint_interval = 2;
  options.keep_last = 1;
  Rig setup(8, options);
  int iteration = 0;
  const absl::Status s = setup.trainer->Run([&]() -> absl::StatusOr<StepOutput> {
    const at::Tensor w = setup.model->fc->weight;
    // An update to inf with a finite loss (e.g. train.lr=inf): only the save can notice.
    if (iteration++ == 3) {
      at::NoGradGuard no_grad;
      setup.model->fc->bias.fill_(std::numeric_limits<float>::infinity());
    }
    return StepOutput{(w - 1).pow(2).sum(), {}};
  });
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(Trainer::CheckpointPath(options.work_dir, 4) +
                                                  ": not written: NaN or inf in"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("fc.bias"));
  EXPECT_EQ(Trainer::CheckpointIters(options.work_dir), (std::vector<int64_t>{2}));
}

TEST(Trainer, AResumeFromACorruptCheckpointNamesTheNewestGoodOne) {
  TrainerOptions options = Options("corrupt_resume", 6);
  options.checkpoint_interval = 2;
  options.keep_last = 0;
  Rig first(9, options);
  ASSERT_TRUE(first.Run().ok());
  const std::string six = Trainer::CheckpointPath(options.work_dir, 6);
  {  // one flipped byte in the middle of the newest
    std::fstream f(six, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const std::streamoff middle = f.tellg() / 2;
    f.seekg(middle);
    char c = 0;
    f.read(&c, 1);
    f.seekp(middle);
    c = static_cast<char>(c ^ 0x40);
    f.write(&c, 1);
  }
  options.max_iters = 8;
  Rig second(9, options);
  const absl::Status s = second.Run();
  ASSERT_FALSE(s.ok());
  const std::string message(s.message());
  EXPECT_EQ(message.rfind("cannot resume: " + six + ": ", 0), 0u) << message;
  EXPECT_THAT(message, HasSubstr("; the newest good checkpoint is " + Trainer::CheckpointPath(options.work_dir, 4) +
                                 ": move " + six + " aside (e.g. to " + six + ".bad) and start again"));
  // Nothing was written: the run's metrics are the first run's only.
  EXPECT_THAT(ReadLines(options.work_dir + "/metrics.jsonl"), ::testing::Not(::testing::Contains(HasSubstr("resume"))));
}

TEST(Trainer, ASecondWriterIsRefusedBeforeItWritesAnything) {
  TrainerOptions options = Options("locked", 4);
  std::filesystem::create_directories(options.work_dir);
  const std::string lock = options.work_dir + "/" + report::RunDirectoryLock::kFileName;
  // Another process holds the run directory for a few seconds.
  ASSERT_EQ(std::system(("flock '" + lock + "' sleep 3 &").c_str()), 0);
  const auto other_holds = [&] { return std::system(("flock -n '" + lock + "' true").c_str()) != 0; };
  for (int i = 0; i < 100 && !other_holds(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  Rig setup(10, options);
  const absl::Status s = setup.Run();
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(options.work_dir + " is in use by "));
  EXPECT_THAT(std::string(s.message()), HasSubstr("one writer per run directory"));
  EXPECT_FALSE(std::filesystem::exists(options.work_dir + "/metrics.jsonl"));
  EXPECT_TRUE(Trainer::CheckpointIters(options.work_dir).empty());
  for (int i = 0; i < 400 && other_holds(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

TEST(Trainer, BeforeTrainRunsOnceWithTheStartIteration) {
  class StartHook : public TrainerHook {
   public:
    explicit StartHook(std::vector<int64_t>* starts) : starts_(starts) {}
    absl::Status BeforeTrain(int64_t start_iter) override {
      starts_->push_back(start_iter);
      return absl::OkStatus();
    }

   private:
    std::vector<int64_t>* starts_;
  };
  TrainerOptions options = Options("before_train", 3);
  std::vector<int64_t> starts;
  Rig first(11, options);
  first.trainer->AddHook(std::make_unique<StartHook>(&starts));
  ASSERT_TRUE(first.Run().ok());
  options.max_iters = 5;
  Rig second(11, options);
  second.trainer->AddHook(std::make_unique<StartHook>(&starts));
  ASSERT_TRUE(second.Run().ok());
  EXPECT_EQ(starts, (std::vector<int64_t>{0, 3}));

  // A hook that refuses stops the run before its first step.
  class Refuse : public TrainerHook {
   public:
    absl::Status BeforeTrain(int64_t) override { return absl::FailedPreconditionError("config changed"); }
  };
  options.max_iters = 7;
  Rig third(11, options);
  third.trainer->AddHook(std::make_unique<Refuse>());
  EXPECT_EQ(third.Run().message(), "config changed");
  EXPECT_EQ(Trainer::LatestCheckpointIter(options.work_dir).value(), 5);
}

TEST(Trainer, LatestCheckpointComparesIterationsNumerically) {
  const std::string dir = ::testing::TempDir() + "/latest";
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(Trainer::LatestCheckpointIter(dir).has_value());
  std::filesystem::create_directories(dir);
  for (const char* name : {"iter_9.ckpt", "iter_10.ckpt", "iter_2.ckpt", "iter_11.ckpt.tmp", "notes.txt",
                           "iter_99999999999999999999999.ckpt", "iter_12.ckpt.diverged"}) {
    std::ofstream(dir + "/" + name) << "x";
  }
  EXPECT_EQ(Trainer::LatestCheckpointIter(dir).value(), 10);
}

}  // namespace
}  // namespace zegclip::train
