#include "zegclip/config/resume_compatibility.h"

#include <gtest/gtest.h>

#include "zegclip/config/fill_defaults.h"

namespace zegclip::config {
namespace {

Experiment Base() {
  Experiment e;
  e.mutable_train()->set_lr(1e-3);
  e.mutable_model()->mutable_decoder()->set_layers(2);
  return e;
}

const ResumeContext kTrainAt300{ResumeStage::kTrain, "runs/a", 300};

TEST(ResumeCompatibilityTest, SameConfigHasNoChanges) {
  absl::StatusOr<std::vector<report::FieldDifference>> changes = CheckResumeCompatible(Base(), Base(), kTrainAt300);
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_TRUE(changes->empty());
}

TEST(ResumeCompatibilityTest, OptimisationChangesAreReturnedWithBothValues) {
  Experiment now = Base();
  now.mutable_train()->set_lr(5e-4);
  now.mutable_train()->set_max_iters(600);
  now.mutable_eval()->set_mode(WHOLE);
  now.mutable_data()->set_root("/moved/data");
  absl::StatusOr<std::vector<report::FieldDifference>> changes = CheckResumeCompatible(Base(), now, kTrainAt300);
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->size(), 4u);
  EXPECT_EQ((*changes)[0], (report::FieldDifference{"data.root", "\"\"", "\"/moved/data\""}));
  EXPECT_EQ((*changes)[1].path, "train.max_iters");
  EXPECT_EQ((*changes)[2], (report::FieldDifference{"train.lr", "0.001", "0.0005"}));
  EXPECT_EQ((*changes)[3].path, "eval.mode");
}

TEST(ResumeCompatibilityTest, ArchitectureChangeIsRefusedNamingFieldValuesAndWayOut) {
  Experiment now = Base();
  now.mutable_model()->mutable_decoder()->set_layers(3);
  absl::StatusOr<std::vector<report::FieldDifference>> changes = CheckResumeCompatible(Base(), now, kTrainAt300);
  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(changes.status().message(),
            "cannot resume runs/a at iteration 300: model.decoder.layers is 2 in runs/a/config.pbtxt (the run so "
            "far) but 3 now; what a run trains cannot change when it resumes: choose another --work_dir, or pass "
            "--noresume to start runs/a again from iteration 0");
}

TEST(ResumeCompatibilityTest, SeveralFixedFieldsAreCounted) {
  Experiment now = Base();
  now.mutable_model()->set_encoder_mode(FINETUNE);
  now.set_seed(7);
  now.mutable_data()->set_batch_size_per_rank(16);
  absl::StatusOr<std::vector<report::FieldDifference>> changes = CheckResumeCompatible(Base(), now, kTrainAt300);
  ASSERT_FALSE(changes.ok());
  EXPECT_NE(changes.status().message().find(
                "(3 such fields differ: seed, model.encoder_mode, data.batch_size_per_rank)"),
            std::string::npos)
      << changes.status();
}

TEST(ResumeCompatibilityTest, DefaultsSpelledOutDoNotDiffer) {
  Experiment filled = Base();
  FillDefaults(&filled);
  absl::StatusOr<std::vector<report::FieldDifference>> changes = CheckResumeCompatible(Base(), filled, kTrainAt300);
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_TRUE(changes->empty());
}

TEST(ResumeCompatibilityTest, FixedFieldsDependOnTheStage) {
  EXPECT_TRUE(FixedOnResume(ResumeStage::kTrain, "model.decoder.layers"));
  EXPECT_TRUE(FixedOnResume(ResumeStage::kTrain, "data.crop_size"));
  EXPECT_TRUE(FixedOnResume(ResumeStage::kTrain, "seed"));
  EXPECT_FALSE(FixedOnResume(ResumeStage::kTrain, "seed_extra"));  // prefixes end at a field boundary
  EXPECT_FALSE(FixedOnResume(ResumeStage::kTrain, "train.lr"));
  EXPECT_FALSE(FixedOnResume(ResumeStage::kTrain, "pretrain.image_size"));  // train does not read it
  EXPECT_FALSE(FixedOnResume(ResumeStage::kTrain, "model.clip.checkpoint"));
  EXPECT_FALSE(FixedOnResume(ResumeStage::kTrain, "data.num_workers"));
  EXPECT_TRUE(FixedOnResume(ResumeStage::kPretrain, "model.clip.vision_width"));
  EXPECT_TRUE(FixedOnResume(ResumeStage::kPretrain, "pretrain.image_size"));
  EXPECT_TRUE(FixedOnResume(ResumeStage::kPretrain, "data.synthetic.max_objects"));
  EXPECT_TRUE(FixedOnResume(ResumeStage::kPretrain, "pretrain.classes"));  // what CLIP knows
  EXPECT_FALSE(FixedOnResume(ResumeStage::kPretrain, "pretrain.lr"));
  EXPECT_FALSE(FixedOnResume(ResumeStage::kPretrain, "model.decoder.layers"));  // pretrain-clip builds no decoder
}

}  // namespace
}  // namespace zegclip::config
