#include "zegclip/train/trainer.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "zegclip/train/checkpoint.h"
#include "zegclip/train/trainer_test_rig.h"

namespace zegclip::train {
namespace {

using ::testing::HasSubstr;

TEST(Trainer, LinearRegressionConvergesAndLogsMetrics) {
  Rig setup(1, TrainerTestOptions("converge", 300));
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
  TrainerOptions straight_options = TrainerTestOptions("straight", 10);
  straight_options.checkpoint_interval = 5;
  Rig straight(3, straight_options, /*dropout=*/0.2);
  ASSERT_TRUE(straight.Run().ok());

  TrainerOptions first_options = TrainerTestOptions("resumed", 5);
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
  TrainerOptions options = TrainerTestOptions("not_resumed", 5);
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
  TrainerOptions o = TrainerTestOptions("clip", 5);
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
  TrainerOptions o = TrainerTestOptions("eval", 20);
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
  TrainerOptions o = TrainerTestOptions("extra", 4);
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
  TrainerOptions o = TrainerTestOptions("order", 1);
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
  TrainerOptions options = TrainerTestOptions("before_train", 3);
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
