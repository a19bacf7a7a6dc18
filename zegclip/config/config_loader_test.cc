#include "zegclip/config/config_loader.h"

#include <cstdio>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace zegclip::config {
namespace {

using ::testing::HasSubstr;

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigLoader, SyntaxErrorNamesFileLineAndColumn) {
  absl::StatusOr<Experiment> exp =
      ParseExperimentText("name: \"x\"\ntrain {\n  max_iters: 10\n  lr: oops\n}\n", "bad.pbtxt");
  ASSERT_FALSE(exp.ok());
  EXPECT_THAT(std::string(exp.status().message()), HasSubstr("bad.pbtxt: line 4, column 7"));
}

TEST(ConfigLoader, UnknownFieldNamesTheLine) {
  absl::StatusOr<Experiment> exp = ParseExperimentText("model {\n  encoder_mod: FROZEN\n}\n", "f.pbtxt");
  ASSERT_FALSE(exp.ok());
  EXPECT_THAT(std::string(exp.status().message()), HasSubstr("line 2"));
  EXPECT_THAT(std::string(exp.status().message()), HasSubstr("encoder_mod"));
}

TEST(ConfigLoader, LoadFillsDefaultsAppliesOverridesInOrder) {
  const std::string path = WriteTemp("ok.pbtxt", "name: \"t\"\ntrain { max_iters: 50 }\ndata { unseen_classes: \"cow\" }\n");
  absl::StatusOr<Experiment> exp = LoadExperiment(path, {"train.max_iters=7", "train.max_iters=9"});
  ASSERT_TRUE(exp.ok()) << exp.status();
  EXPECT_EQ(exp->train().max_iters(), 9);
  EXPECT_TRUE(exp->train().has_lr());
  EXPECT_FLOAT_EQ(exp->train().lr(), 2e-5f);
  EXPECT_EQ(exp->model().decoder().layers(), 3);
  // The resolved text shows the defaults explicitly.
  EXPECT_THAT(ToText(*exp), HasSubstr("warmup_iters: 1500"));
}

TEST(ConfigLoader, ResolvedTextRoundTrips) {
  const std::string path = WriteTemp("rt.pbtxt", "model { loss { kind: EL } setting: FULLY_SUPERVISED }\n");
  absl::StatusOr<Experiment> exp = LoadExperiment(path, {});
  ASSERT_TRUE(exp.ok()) << exp.status();
  absl::StatusOr<Experiment> again = ParseExperimentText(ToText(*exp), "resolved");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->SerializeAsString(), exp->SerializeAsString());
}

TEST(ConfigLoader, SemanticErrorNamesFileAndField) {
  const std::string path = WriteTemp("sem.pbtxt", "data { crop_size: 500 }\n");
  absl::StatusOr<Experiment> exp = LoadExperiment(path, {});
  ASSERT_FALSE(exp.ok());
  EXPECT_THAT(std::string(exp.status().message()), HasSubstr("sem.pbtxt: data.crop_size: 500"));
  EXPECT_THAT(std::string(exp.status().message()), HasSubstr("multiple of model.clip.patch_size (16)"));
}

TEST(ConfigLoader, MissingFileIsNotFound) {
  absl::StatusOr<Experiment> exp = LoadExperiment("/nonexistent/x.pbtxt", {});
  EXPECT_EQ(exp.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(exp.status().message()), HasSubstr("/nonexistent/x.pbtxt"));
}

TEST(ConfigLoader, ShippedExperimentsAllValidate) {
  for (const char* name : {"experiments/synthetic_quickstart.pbtxt", "experiments/voc_inductive.pbtxt"}) {
    absl::StatusOr<Experiment> exp = LoadExperiment(name, {});
    EXPECT_TRUE(exp.ok()) << name << ": " << exp.status();
  }
}

}  // namespace
}  // namespace zegclip::config
