// What a run does when a step fails or its state goes bad: the error names the iteration, the checkpoints kept are
// good ones (never a non-finite one; one whose first step diverges is set aside), a corrupt checkpoint is named
// before anything is written, and a second writer is refused. The trainer's loop itself: trainer_test.cc.
#include "zegclip/train/trainer.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "zegclip/train/checkpoint.h"
#include "zegclip/train/trainer_test_rig.h"

namespace zegclip::train {
namespace {

using ::testing::HasSubstr;

TEST(Trainer, StepErrorsAndNonFiniteLossesStopTrainingWithTheIteration) {
  Rig setup(7, TrainerTestOptions("errors", 10));
  int calls = 0;
  absl::Status s = setup.trainer->Run([&]() -> absl::StatusOr<StepOutput> {
    if (++calls == 3) return absl::NotFoundError("voc/JPEGImages/x.jpg: no such file");
    return StepOutput{(setup.model->fc->weight.sum() * 0), {}};
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "iteration 2: voc/JPEGImages/x.jpg: no such file");

  Rig throwing(7, TrainerTestOptions("throwing", 10));
  s = throwing.trainer->Run([&]() -> absl::StatusOr<StepOutput> {
    TORCH_CHECK(false, "decoder: expected 512 channels, got 3");
    return StepOutput{};
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(s.message()), HasSubstr("iteration 0: decoder: expected 512 channels, got 3"));

  Rig nan_setup(7, TrainerTestOptions("nan", 10));
  s = nan_setup.trainer->Run([&]() -> absl::StatusOr<StepOutput> {
    return StepOutput{nan_setup.model->fc->weight.sum() * std::numeric_limits<double>::quiet_NaN(), {}};
  });
  EXPECT_THAT(std::string(s.message()), HasSubstr("iteration 0: the loss is nan on rank 0"));
}

TEST(Trainer, KeepsTheLastNCheckpointsAndTheFinalOne) {
  TrainerOptions options = TrainerTestOptions("keep", 11);
  options.checkpoint_interval = 2;
  options.keep_last = 2;
  Rig setup(3, options);
  ASSERT_TRUE(setup.Run().ok());
  // Saved: 2, 4, 6, 8, 10 and the final 11; the two newest stay.
  EXPECT_EQ(Trainer::CheckpointIters(options.work_dir), (std::vector<int64_t>{10, 11}));

  options = TrainerTestOptions("keep_one", 6);
  options.checkpoint_interval = 2;
  options.keep_last = 1;
  Rig one(3, options);
  ASSERT_TRUE(one.Run().ok());
  EXPECT_EQ(Trainer::CheckpointIters(options.work_dir), (std::vector<int64_t>{6}));

  options = TrainerTestOptions("keep_all", 6);
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
    TrainerOptions o = TrainerTestOptions(name, 10);
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
  Rig reloaded(99, TrainerTestOptions("nan_reload", 4));
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
  TrainerOptions options = TrainerTestOptions("inf_weights", 6);
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
  TrainerOptions options = TrainerTestOptions("corrupt_resume", 6);
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
  TrainerOptions options = TrainerTestOptions("locked", 4);
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

}  // namespace
}  // namespace zegclip::train
