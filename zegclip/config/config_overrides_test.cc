#include "zegclip/config/config_overrides.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "zegclip/config/experiment.pb.h"

namespace zegclip::config {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(ConfigOverrides, SetsNestedScalarsEnumsAndStrings) {
  Experiment exp;
  ASSERT_TRUE(ApplyOverride("train.max_iters=100", &exp).ok());
  ASSERT_TRUE(ApplyOverride("model.loss.kind=EL", &exp).ok());
  ASSERT_TRUE(ApplyOverride("model.clip.checkpoint=/w/ViT-B-16.pt", &exp).ok());
  ASSERT_TRUE(ApplyOverride("model.decoder.input_projection=true", &exp).ok());
  ASSERT_TRUE(ApplyOverride("train.lr=3e-4", &exp).ok());
  EXPECT_EQ(exp.train().max_iters(), 100);
  EXPECT_EQ(exp.model().loss().kind(), EL);
  EXPECT_EQ(exp.model().clip().checkpoint(), "/w/ViT-B-16.pt");
  EXPECT_TRUE(exp.model().decoder().input_projection());
  EXPECT_FLOAT_EQ(exp.train().lr(), 3e-4f);
}

TEST(ConfigOverrides, RepeatedFieldTakesACommaListThatReplaces) {
  Experiment exp;
  exp.mutable_data()->add_unseen_classes("cow");
  ASSERT_TRUE(ApplyOverride("data.unseen_classes=sheep,sofa", &exp).ok());
  ASSERT_EQ(exp.data().unseen_classes_size(), 2);
  EXPECT_EQ(exp.data().unseen_classes(1), "sofa");
  ASSERT_TRUE(ApplyOverride("data.unseen_classes=", &exp).ok());
  EXPECT_EQ(exp.data().unseen_classes_size(), 0);
}

TEST(ConfigOverrides, UnknownFieldListsTheValidOnes) {
  Experiment exp;
  absl::Status s = ApplyOverride("train.max_iterz=1", &exp);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(Message(s), HasSubstr("'train.max_iterz' is not a field"));
  EXPECT_THAT(Message(s), HasSubstr("max_iters"));
}

TEST(ConfigOverrides, BadValuesSayWhatIsExpected) {
  Experiment exp;
  EXPECT_THAT(Message(ApplyOverride("train.max_iters=many", &exp)), HasSubstr("expected int32"));
  EXPECT_THAT(Message(ApplyOverride("model.loss.kind=BCE", &exp)), HasSubstr("one of NEL, EL"));
  EXPECT_THAT(Message(ApplyOverride("train", &exp)), HasSubstr("expected FIELD.PATH=VALUE"));
  EXPECT_THAT(Message(ApplyOverride("train=1", &exp)), HasSubstr("is a group of fields"));
  EXPECT_THAT(Message(ApplyOverride("train.lr.x=1", &exp)), HasSubstr("is a value"));
}

}  // namespace
}  // namespace zegclip::config
