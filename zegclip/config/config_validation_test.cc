#include "zegclip/config/config_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "zegclip/config/config_overrides.h"
#include "zegclip/config/fill_defaults.h"

namespace zegclip::config {
namespace {

using ::testing::HasSubstr;

// A defaults-filled VOC experiment with `assignment` applied; returns the validation message ("" when valid).
std::string ValidateWith(const std::string& assignment) {
  Experiment exp;
  if (!assignment.empty()) EXPECT_TRUE(ApplyOverride(assignment, &exp).ok()) << assignment;
  exp.mutable_data()->add_unseen_classes("sofa");
  FillDefaults(&exp);
  return std::string(ValidateExperiment(exp).message());
}

TEST(ConfigValidation, DefaultsAreTheValidVocRecipe) { EXPECT_EQ(ValidateWith(""), ""); }

TEST(ConfigValidation, CropMustBeAMultipleOfThePatch) {
  EXPECT_THAT(ValidateWith("data.crop_size=500"), HasSubstr("data.crop_size: 500 is not allowed"));
  EXPECT_EQ(ValidateWith("data.crop_size=480"), "");
}

TEST(ConfigValidation, NamesTheFieldAndTheAllowedRange) {
  EXPECT_THAT(ValidateWith("model.decoder.heads=7"), HasSubstr("model.decoder.heads: 7"));
  EXPECT_THAT(ValidateWith("eval.stride=600"), HasSubstr("eval.stride: 600 is not allowed (in (0, eval.crop])"));
  EXPECT_THAT(ValidateWith("train.max_iters=0"), HasSubstr("train.max_iters"));
  EXPECT_THAT(ValidateWith("model.seen_score_offset=-0.5"), HasSubstr("model.seen_score_offset"));
  EXPECT_THAT(ValidateWith("model.prompt_depth=12"), HasSubstr("model.prompt_depth"));
  EXPECT_THAT(ValidateWith("model.templates=a photo"), HasSubstr("contains {}"));
}

TEST(ConfigValidation, PretrainWorldSizesAreZeroOrValid) {
  // 0 keeps data.synthetic's value; an image size must tile into patches (16 here).
  EXPECT_EQ(ValidateWith("pretrain.image_size=32"), "");
  EXPECT_THAT(ValidateWith("pretrain.image_size=40"),
              HasSubstr("pretrain.image_size: 40 is not allowed (0 (data.synthetic.image_size) or a positive multiple "
                        "of model.clip.patch_size (16))"));
  EXPECT_THAT(ValidateWith("pretrain.max_objects=-1"), HasSubstr("pretrain.max_objects: -1"));
  EXPECT_THAT(ValidateWith("pretrain.min_object_size=-2"), HasSubstr("pretrain.min_object_size: -2"));
  EXPECT_THAT(ValidateWith("pretrain.varied_caption_fraction=1.5"),
              HasSubstr("pretrain.varied_caption_fraction: 1.5 is not allowed (in [0, 1])"));
  EXPECT_EQ(ValidateWith("pretrain.varied_caption_fraction=1"), "");
  EXPECT_THAT(ValidateWith("pretrain.max_object_size=-3"), HasSubstr("pretrain.max_object_size: -3"));
}

TEST(ConfigValidation, UnknownUnseenClassListsTheClasses) {
  EXPECT_THAT(ValidateWith("data.unseen_classes=unicorn"),
              HasSubstr("data.unseen_classes: unknown class 'unicorn' (classes: aeroplane"));
}

TEST(ConfigValidation, ZeroShotNeedsUnseenClassesUnlessFullySupervised) {
  Experiment exp;
  FillDefaults(&exp);
  EXPECT_THAT(std::string(ValidateExperiment(exp).message()), HasSubstr("FULLY_SUPERVISED"));
  exp.mutable_model()->set_setting(FULLY_SUPERVISED);
  EXPECT_TRUE(ValidateExperiment(exp).ok());
}

// ValidateWith for several assignments on an experiment of `unseen` (a class of data.dataset's list).
std::string ValidateWithAll(const std::vector<std::string>& assignments, const std::string& unseen = "sofa") {
  Experiment exp;
  for (const std::string& a : assignments) EXPECT_TRUE(ApplyOverride(a, &exp).ok()) << a;
  exp.mutable_data()->add_unseen_classes(unseen);
  FillDefaults(&exp);
  return std::string(ValidateExperiment(exp).message());
}

TEST(ConfigValidation, SyntheticClassesAndPretrainClassesMustBeCompositions) {
  const std::vector<std::string> wide = {"data.dataset=SYNTHETIC", "model.clip.patch_size=8",
                                         "data.classes=red plain,cyan gridded,pink zigzag"};
  EXPECT_EQ(ValidateWithAll(wide, "cyan gridded"), "");
  std::vector<std::string> teal = wide;
  teal.back() = "data.classes=red plain,teal plain";
  EXPECT_THAT(ValidateWithAll(teal, "red plain"),
              HasSubstr("data.classes: 'teal plain' is not a synthetic-world class (\"<colour> <pattern>\", colours: "
                        "red, green, blue, yellow, purple, orange, cyan, pink; patterns: plain"));
  std::vector<std::string> pretrain = wide;
  pretrain.push_back("pretrain.classes=red plain,red plain");
  EXPECT_THAT(ValidateWithAll(pretrain, "cyan gridded"),
              HasSubstr("pretrain.classes: class 'red plain' is listed twice"));
  pretrain.back() = "pretrain.classes=pink gridded,blue zigzag";
  EXPECT_EQ(ValidateWithAll(pretrain, "cyan gridded"), "");
  // Other datasets' classes are not compositions and need not be.
  EXPECT_EQ(ValidateWithAll({"data.classes=sofa,cat"}, "sofa"), "");
}

TEST(ConfigValidation, SyntheticDistractorsAreCompositionsNoClassPaints) {
  const std::vector<std::string> wide = {"data.dataset=SYNTHETIC", "model.clip.patch_size=8",
                                         "data.classes=red plain,cyan gridded,pink zigzag"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = wide;
    all.insert(all.end(), extra.begin(), extra.end());
    return ValidateWithAll(all, "cyan gridded");
  };
  EXPECT_EQ(with({"data.synthetic.distractors=red zigzag,cyan plain"}), "");
  EXPECT_EQ(with({"data.synthetic.distractors=red zigzag,pink zigzag"}),
            "data.synthetic.distractors: 'pink zigzag' is a class of this world (data.classes); a distractor must be "
            "a composition no class paints");
  EXPECT_THAT(with({"data.synthetic.distractors=teal plain"}),
              HasSubstr("data.synthetic.distractors: 'teal plain' is not a synthetic-world class"));
  EXPECT_EQ(with({"data.synthetic.distractors=red zigzag,red zigzag"}),
            "data.synthetic.distractors: class 'red zigzag' is listed twice");
  EXPECT_EQ(with({"data.synthetic.min_distractors=3"}),
            "data.synthetic.min_distractors: 3 is not allowed (in [0, data.synthetic.max_distractors])");
  EXPECT_EQ(with({"data.synthetic.max_distractors=65", "data.synthetic.min_distractors=0"}),
            "data.synthetic.max_distractors: 65 is not allowed (at most 64)");
  // Without data.classes the world is the base 36: any of them is a class, an extra composition is not.
  const std::vector<std::string> base = {"data.dataset=SYNTHETIC", "model.clip.patch_size=8"};
  std::vector<std::string> base_red = base, base_cyan = base;
  base_red.push_back("data.synthetic.distractors=red dotted");
  base_cyan.push_back("data.synthetic.distractors=cyan dotted");
  EXPECT_EQ(ValidateWithAll(base_red, "red plain"),
            "data.synthetic.distractors: 'red dotted' is a class of this world (the base 36); a distractor must be a "
            "composition no class paints");
  EXPECT_EQ(ValidateWithAll(base_cyan, "red plain"), "");
}

TEST(ConfigValidation, CalibrationSplitNeedsCandidates) {
  EXPECT_EQ(ValidateWithAll({"eval.calibration_split=heldout"}),
            "eval.calibration_split: 'heldout' is set but eval.offset_candidates is empty (list the seen-score "
            "offsets to choose from)");
  EXPECT_EQ(ValidateWithAll({"eval.calibration_split=heldout", "eval.offset_candidates=0,0.05,0.1"}), "");
  // An override can switch calibration off again (e.g. a sweep that empties the candidates).
  EXPECT_EQ(ValidateWithAll({"eval.calibration_split=heldout", "eval.calibration_split="}), "");
}

TEST(ConfigValidation, CalibrationSplitMustBeHeldOutFromValidation) {
  EXPECT_EQ(ValidateWithAll({"eval.calibration_split=val", "eval.offset_candidates=0,0.1"}),
            "eval.calibration_split: 'val' is the validation split (data.val_split); the offset must be chosen on a "
            "held-out split");
  EXPECT_THAT(ValidateWithAll({"data.val_split=test", "eval.calibration_split=test", "eval.offset_candidates=0.1"}),
              HasSubstr("'test' is the validation split"));
  // A reader's val_split names a file; "val" is then just another split.
  EXPECT_EQ(ValidateWithAll({"data.val_split=test", "eval.calibration_split=val", "eval.offset_candidates=0.1"}), "");
  // The rendered synthetic world's validation stream is "val" whatever data.val_split says.
  EXPECT_THAT(ValidateWithAll({"data.dataset=SYNTHETIC", "data.val_split=test", "eval.calibration_split=val",
                               "eval.offset_candidates=0.1"}, "red dotted"),
              HasSubstr("'val' is the validation split"));
  EXPECT_EQ(ValidateWithAll({"data.dataset=SYNTHETIC", "eval.calibration_split=calib", "eval.offset_candidates=0.1"},
                            "red dotted"), "");
}

TEST(ConfigValidation, CalibrationOnlyInTheInductiveSettingAndImageCountNotNegative) {
  EXPECT_THAT(ValidateWithAll({"model.setting=TRANSDUCTIVE", "eval.calibration_split=heldout",
                               "eval.offset_candidates=0.1"}),
              HasSubstr("eval.calibration_split: 'heldout' is set but model.setting is TRANSDUCTIVE"));
  EXPECT_THAT(ValidateWith("eval.calibration_images=-1"),
              HasSubstr("eval.calibration_images: -1 is not allowed (>= 0 (0 = all))"));
}

TEST(ConfigValidation, EveryFloatMustBeFinite) {
  // inf passes "> 0" comparisons and nan fails every one; both are refused as not finite, naming the field.
  EXPECT_EQ(ValidateWith("train.lr=inf"), "train.lr: inf is not allowed (a finite number)");
  EXPECT_EQ(ValidateWith("train.lr=nan"), "train.lr: nan is not allowed (a finite number)");
  EXPECT_EQ(ValidateWith("train.grad_clip_norm=inf"), "train.grad_clip_norm: inf is not allowed (a finite number)");
  EXPECT_EQ(ValidateWith("model.loss.focal_weight=-inf"),
            "model.loss.focal_weight: -inf is not allowed (a finite number)");
  EXPECT_EQ(ValidateWith("pretrain.lr=inf"), "pretrain.lr: inf is not allowed (a finite number)");
  EXPECT_EQ(ValidateWithAll({"eval.offset_candidates=0,inf"}),
            "eval.offset_candidates: inf is not allowed (a finite number)");
}

TEST(ConfigValidation, SizesThatWouldExhaustMemoryAreRefused) {
  EXPECT_EQ(ValidateWith("data.crop_size=1048576"), "data.crop_size: 1048576 is not allowed (at most 4096)");
  EXPECT_EQ(ValidateWith("data.batch_size_per_rank=100000"),
            "data.batch_size_per_rank: 100000 is not allowed (at most 1024)");
  EXPECT_EQ(ValidateWith("eval.batch_size=5000"), "eval.batch_size: 5000 is not allowed (at most 1024)");
  EXPECT_EQ(ValidateWith("model.clip.context_length=100000"),
            "model.clip.context_length: 100000 is not allowed (at most 1024; OpenAI's CLIP: 77)");
  EXPECT_EQ(ValidateWith("data.synthetic.train_images=2000000000"),
            "data.synthetic.train_images: 2000000000 is not allowed (in [1, 1000000])");
  EXPECT_EQ(ValidateWith("data.synthetic.val_images=0"), "data.synthetic.val_images: 0 is not allowed (in [1, 1000000])");
  EXPECT_EQ(ValidateWith("data.synthetic.image_size=65536"),
            "data.synthetic.image_size: 65536 is not allowed (at most 2048)");
  EXPECT_EQ(ValidateWith("pretrain.batch_size=1000000"), "pretrain.batch_size: 1000000 is not allowed (at most 16384)");
  EXPECT_EQ(ValidateWith("report.example_images=100000"), "report.example_images: 100000 is not allowed (in [0, 64])");
  EXPECT_EQ(ValidateWith("eval.calibration_images=2000000"),
            "eval.calibration_images: 2000000 is not allowed (at most 1000000)");
  EXPECT_EQ(ValidateWith("model.clip.vision_width=0"), "model.clip.vision_width: 0 is not allowed (> 0)");
  EXPECT_EQ(ValidateWith("model.clip.pretrain_image_size=0"),
            "model.clip.pretrain_image_size: 0 is not allowed (a positive multiple of model.clip.patch_size)");
}

TEST(ConfigValidation, TransductiveNeedsTheCheckpointItSelfTrainsFrom) {
  EXPECT_THAT(ValidateWith("model.setting=TRANSDUCTIVE"),
              HasSubstr("train.init_checkpoint: empty, but model.setting is TRANSDUCTIVE, which self-trains from a "
                        "trained model"));
  EXPECT_EQ(ValidateWithAll({"model.setting=TRANSDUCTIVE", "train.init_checkpoint=runs/voc_inductive/iter_1.ckpt"}),
            "");
}

}  // namespace
}  // namespace zegclip::config
