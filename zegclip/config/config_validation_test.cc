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

}  // namespace
}  // namespace zegclip::config
