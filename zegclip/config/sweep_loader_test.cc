#include "zegclip/config/sweep_loader.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "zegclip/testing/temp_path.h"

namespace zegclip::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

using ::zegclip::testing::TempRoot;

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = TempRoot() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

Sweep Parse(const std::string& text) {
  absl::StatusOr<Sweep> sweep = ParseSweepText(text, "test.pbtxt");
  EXPECT_TRUE(sweep.ok()) << sweep.status();
  return sweep.ok() ? *sweep : Sweep();
}

std::vector<std::string> Names(const std::vector<SweepPoint>& points) {
  std::vector<std::string> names;
  for (const SweepPoint& p : points) names.push_back(p.name);
  return names;
}

std::string ErrorOf(const Sweep& sweep, const std::vector<std::string>& extra = {}) {
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSweep(sweep, extra);
  EXPECT_FALSE(points.ok());
  return points.ok() ? "" : std::string(points.status().message());
}

TEST(SweepLoader, ProductVariesTheFirstAxisSlowest) {
  Sweep sweep = Parse(R"(
    axes { name: "loss" field: "model.loss.kind" values: ["EL", "NEL"] }
    axes { name: "query" field: "model.query" values: ["TEXT", "RELATIONSHIP"] })");
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSweep(sweep, {});
  ASSERT_TRUE(points.ok()) << points.status();
  EXPECT_THAT(Names(*points), ElementsAre("loss=EL__query=TEXT", "loss=EL__query=RELATIONSHIP",
                                          "loss=NEL__query=TEXT", "loss=NEL__query=RELATIONSHIP"));
  EXPECT_THAT((*points)[2].overrides, ElementsAre("model.loss.kind=NEL", "model.query=TEXT"));
  EXPECT_THAT((*points)[2].values, ElementsAre(Pair("loss", "NEL"), Pair("query", "TEXT")));
}

TEST(SweepLoader, ProductOfThreeAxesCountsAndOrders) {
  Sweep sweep = Parse(R"(
    axes { name: "a" field: "train.max_iters" values: ["1", "2"] }
    axes { name: "b" field: "train.lr" values: ["0.1", "0.2", "0.3"] }
    axes { name: "c" field: "seed" values: ["7", "8"] })");
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSweep(sweep, {});
  ASSERT_TRUE(points.ok()) << points.status();
  ASSERT_EQ(points->size(), 12u);
  // Mixed radix (2, 3, 2), last axis fastest: point 7 = (1, 0, 1).
  EXPECT_EQ((*points)[7].name, "a=2__b=0.1__c=8");
  EXPECT_EQ((*points)[11].name, "a=2__b=0.3__c=8");
}

TEST(SweepLoader, ZipPairsTheIthValues) {
  Sweep sweep = Parse(R"(
    mode: ZIP
    axes { name: "lr" field: "train.lr" values: ["1e-4", "2e-4", "3e-4"] }
    axes { name: "iters" field: "train.max_iters" values: ["10", "20", "30"] })");
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSweep(sweep, {});
  ASSERT_TRUE(points.ok()) << points.status();
  EXPECT_THAT(Names(*points), ElementsAre("lr=1e-4__iters=10", "lr=2e-4__iters=20", "lr=3e-4__iters=30"));
  // The same axes as a product: 9 points.
  sweep.set_mode(PRODUCT);
  EXPECT_EQ(ExpandSweep(sweep, {})->size(), 9u);
}

TEST(SweepLoader, ZipNeedsAxesOfEqualLength) {
  Sweep sweep = Parse(R"(
    mode: ZIP
    axes { field: "train.lr" values: ["1e-4", "2e-4"] }
    axes { field: "train.max_iters" values: ["10"] })");
  EXPECT_THAT(ErrorOf(sweep), HasSubstr("axes[1] (train.max_iters): 1 values, but ZIP mode needs 2"));
}

TEST(SweepLoader, SeedsAreTheOutermostLoopAndNamedLast) {
  Sweep sweep = Parse(R"(
    axes { name: "loss" field: "model.loss.kind" values: ["EL", "NEL"] }
    seeds: [3, 1])");
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSweep(sweep, {});
  ASSERT_TRUE(points.ok()) << points.status();
  EXPECT_THAT(Names(*points),
              ElementsAre("loss=EL__seed=3", "loss=NEL__seed=3", "loss=EL__seed=1", "loss=NEL__seed=1"));
  EXPECT_THAT((*points)[3].overrides, ElementsAre("model.loss.kind=NEL", "seed=1"));
  EXPECT_THAT((*points)[3].values, ElementsAre(Pair("loss", "NEL"), Pair("seed", "1")));
}

TEST(SweepLoader, SeedsAloneMakeASeedStudy) {
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSweep(Parse("seeds: [0, 1, 2]"), {});
  ASSERT_TRUE(points.ok()) << points.status();
  EXPECT_THAT(Names(*points), ElementsAre("seed=0", "seed=1", "seed=2"));
}

TEST(SweepLoader, NothingToVaryIsAnError) {
  EXPECT_THAT(ErrorOf(Parse("name: \"x\"")), HasSubstr("at least one axis or one seed"));
}

TEST(SweepLoader, AxisNameDefaultsToTheFieldsLastComponent) {
  absl::StatusOr<std::vector<SweepPoint>> points =
      ExpandSweep(Parse(R"(axes { field: "model.encoder_mode" values: ["FROZEN"] })"), {});
  ASSERT_TRUE(points.ok()) << points.status();
  EXPECT_EQ((*points)[0].name, "encoder_mode=FROZEN");
}

TEST(SweepLoader, InvalidAxisFieldIsOneClearError) {
  const std::string error = ErrorOf(Parse(R"(axes { field: "model.loss.knd" values: ["EL"] })"));
  EXPECT_THAT(error, HasSubstr("axes[0] (model.loss.knd): 'knd' is not a field of model.loss (fields: kind, "));
  EXPECT_EQ(error.find('\n'), std::string::npos);
  EXPECT_THAT(ErrorOf(Parse(R"(axes { field: "modle.query" values: ["TEXT"] })")),
              HasSubstr("'modle' is not a field of the experiment (fields: name, description, seed, model"));
  EXPECT_THAT(ErrorOf(Parse(R"(axes { field: "model.loss" values: ["EL"] })")),
              HasSubstr("'model.loss' is a group of fields; name one of its fields (kind, focal_weight"));
  EXPECT_THAT(ErrorOf(Parse(R"(axes { field: "seed.x" values: ["1"] })")),
              HasSubstr("'seed' is a value, not a group of fields"));
}

TEST(SweepLoader, AxisStructureErrors) {
  EXPECT_THAT(ErrorOf(Parse(R"(axes { field: "train.lr" })")), HasSubstr("axes[0] (train.lr): values: none given"));
  EXPECT_THAT(ErrorOf(Parse(R"(axes { name: "a b" field: "train.lr" values: ["1"] })")),
              HasSubstr("name 'a b' may hold only letters"));
  EXPECT_THAT(ErrorOf(Parse(R"(axes { name: "x" field: "train.lr" values: ["1"] }
                               axes { name: "x" field: "train.max_iters" values: ["1"] })")),
              HasSubstr("axes[1] (train.max_iters): another axis is also named 'x'"));
  EXPECT_THAT(ErrorOf(Parse(R"(axes { name: "x" field: "train.lr" values: ["1"] }
                               axes { name: "y" field: "train.lr" values: ["2"] })")),
              HasSubstr("another axis varies the same field"));
  EXPECT_THAT(ErrorOf(Parse(R"(axes { name: "seed" field: "train.lr" values: ["1"] } seeds: [1])")),
              HasSubstr("name 'seed' is taken by the seeds list"));
}

TEST(SweepLoader, PointNamesAreFilesystemSafe) {
  Sweep sweep = Parse(R"(
    axes { name: "unseen" field: "data.unseen_classes" values: ["cow,sheep", "", "tv monitor/x"] })");
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSweep(sweep, {});
  ASSERT_TRUE(points.ok()) << points.status();
  EXPECT_THAT(Names(*points), ElementsAre("unseen=cow_sheep", "unseen=empty", "unseen=tv_monitor_x"));
  // The override keeps the value as written.
  EXPECT_EQ((*points)[0].overrides.back(), "data.unseen_classes=cow,sheep");
}

TEST(SweepLoader, CollidingPointNamesAreAnError) {
  EXPECT_THAT(ErrorOf(Parse(R"(axes { name: "c" field: "model.clip.checkpoint" values: ["a/b", "a_b"] })")),
              HasSubstr("points 1 and 2 are both named 'c=a_b'"));
  EXPECT_THAT(ErrorOf(Parse("seeds: [1, 1]")), HasSubstr("points 1 and 2 are both named 'seed=1'"));
}

TEST(SweepLoader, AnOverrideOfAVariedFieldIsAnError) {
  Sweep sweep = Parse(R"(axes { name: "loss" field: "model.loss.kind" values: ["EL", "NEL"] } seeds: [0])");
  EXPECT_THAT(ErrorOf(sweep, {"train.lr=1", "model.loss.kind=EL"}),
              HasSubstr("--set 'model.loss.kind=EL' sets model.loss.kind, which axis 'loss' varies"));
  EXPECT_THAT(ErrorOf(sweep, {"seed=4"}), HasSubstr("--set 'seed=4' sets seed, which axis 'seed' varies"));
  sweep.add_overrides("model.loss.kind=NEL");
  EXPECT_THAT(ErrorOf(sweep), HasSubstr("overrides: 'model.loss.kind=NEL' sets model.loss.kind"));
}

class SweepFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    mkdir((TempRoot() + "/sweeps").c_str(), 0755);
    WriteTemp("base.pbtxt", "name: \"base\"\ntrain { max_iters: 50 }\ndata { unseen_classes: \"cow\" }\n");
  }
};

TEST_F(SweepFiles, LoadsTheBaseRelativeToTheSweepFileAndAppliesOverridesInOrder) {
  const std::string path = WriteTemp("sweeps/s.pbtxt", R"(
    base: "../base.pbtxt"
    overrides: "train.max_iters=7"
    overrides: "train.lr=1e-3"
    axes { name: "loss" field: "model.loss.kind" values: ["EL", "NEL"] }
    seeds: [5])");
  absl::StatusOr<SweepPlan> plan = LoadSweep(path, {"train.max_iters=9"});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->base_path, TempRoot() + "/sweeps/../base.pbtxt");
  ASSERT_EQ(plan->points.size(), 2u);
  EXPECT_THAT(plan->points[0].overrides,
              ElementsAre("train.max_iters=7", "train.lr=1e-3", "train.max_iters=9", "model.loss.kind=EL", "seed=5"));
  const Experiment& e = plan->points[1].experiment;
  EXPECT_EQ(e.train().max_iters(), 9);  // the command line beats the sweep's fixed overrides
  EXPECT_FLOAT_EQ(e.train().lr(), 1e-3f);
  EXPECT_EQ(e.model().loss().kind(), NEL);
  EXPECT_EQ(plan->points[0].experiment.model().loss().kind(), EL);
  EXPECT_EQ(e.seed(), 5u);
  EXPECT_EQ(e.name(), "base");
  EXPECT_TRUE(e.model().decoder().has_layers());  // defaults filled, as LoadExperiment does
}

TEST_F(SweepFiles, AnInvalidValueNamesThePointAndTheField) {
  const std::string path = WriteTemp("sweeps/bad_lr.pbtxt", R"(
    base: "../base.pbtxt"
    axes { name: "lr" field: "train.lr" values: ["1e-4", "-1"] })");
  absl::StatusOr<SweepPlan> plan = LoadSweep(path, {});
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(std::string(plan.status().message()),
              HasSubstr(path + ": point 'lr=-1' (2 of 2): " + TempRoot() + "/sweeps/../base.pbtxt: train.lr: -1"));

  const std::string enum_path = WriteTemp("sweeps/bad_enum.pbtxt", R"(
    base: "../base.pbtxt"
    axes { name: "loss" field: "model.loss.kind" values: ["XEL", "EL"] })");
  plan = LoadSweep(enum_path, {});
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(std::string(plan.status().message()), HasSubstr("point 'loss=XEL' (1 of 2)"));
  EXPECT_THAT(std::string(plan.status().message()), HasSubstr("'XEL' is not a valid value (expected one of NEL, EL)"));
}

TEST_F(SweepFiles, FileErrorsNameTheFile) {
  EXPECT_EQ(LoadSweep(TempRoot() + "/none.pbtxt", {}).status().code(), absl::StatusCode::kNotFound);
  const std::string no_base = WriteTemp("sweeps/no_base.pbtxt", "seeds: [1]");
  EXPECT_THAT(std::string(LoadSweep(no_base, {}).status().message()), HasSubstr(no_base + ": base: required"));
  const std::string missing = WriteTemp("sweeps/missing.pbtxt", "base: \"nope.pbtxt\" seeds: [1]");
  absl::StatusOr<SweepPlan> plan = LoadSweep(missing, {});
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(plan.status().message()), HasSubstr("base: cannot open '" + TempRoot() + "/sweeps/nope"));
  const std::string syntax = WriteTemp("sweeps/syntax.pbtxt", "base: \"../base.pbtxt\"\naxes { feild: \"x\" }\n");
  EXPECT_THAT(std::string(LoadSweep(syntax, {}).status().message()), HasSubstr("syntax.pbtxt: line 2"));
  const std::string bad_axis = WriteTemp("sweeps/bad_axis.pbtxt", R"(base: "../base.pbtxt"
    axes { field: "train.lrr" values: ["1"] })");
  EXPECT_THAT(std::string(LoadSweep(bad_axis, {}).status().message()),
              HasSubstr(bad_axis + ": axes[0] (train.lrr): 'lrr' is not a field of train"));
}

}  // namespace
}  // namespace zegclip::config
