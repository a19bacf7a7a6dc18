// Every shipped experiment file (experiments/*.pbtxt) and sweep file (experiments/sweeps/*.pbtxt) loads and
// validates, and the paper's recipe values are where the files say they are.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/class_catalog.h"
#include "zegclip/config/class_split.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/config/sweep_loader.h"

namespace zegclip::config {
namespace {

std::vector<std::string> Glob(const std::string& folder) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".pbtxt") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Every experiment file, loaded, by file stem.
const std::map<std::string, Experiment>& Shipped() {
  static const auto* shipped = [] {
    auto* out = new std::map<std::string, Experiment>;
    for (const std::string& path : Glob("experiments")) {
      absl::StatusOr<Experiment> e = LoadExperiment(path, {});
      if (e.ok()) (*out)[std::filesystem::path(path).stem().string()] = *e;
    }
    return out;
  }();
  return *shipped;
}

const Experiment& Get(const std::string& stem) {
  static const Experiment kEmpty;
  auto it = Shipped().find(stem);
  EXPECT_NE(it, Shipped().end()) << stem << ".pbtxt is missing or invalid";
  return it == Shipped().end() ? kEmpty : it->second;
}

std::set<std::string> UnseenOf(const Experiment& e) {
  return {e.data().unseen_classes().begin(), e.data().unseen_classes().end()};
}

TEST(ShippedExperiments, EveryFileValidatesAndIsNamedAfterItself) {
  const std::vector<std::string> paths = Glob("experiments");
  EXPECT_GE(paths.size(), 11u);
  for (const std::string& path : paths) {
    absl::StatusOr<Experiment> e = LoadExperiment(path, {});
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(e->name(), std::filesystem::path(path).stem().string()) << path;
    std::ifstream file(path);
    std::string first_line;
    std::getline(file, first_line);
    EXPECT_EQ(first_line.rfind("# ", 0), 0u) << path << ": starts without a header comment";
  }
  for (const char* stem :
       {"voc_inductive", "voc_transductive", "voc_fully_supervised", "coco_inductive", "coco_transductive",
        "coco_fully_supervised", "context_inductive", "context_transductive", "coco_to_voc_eval",
        "coco_to_context_eval", "synthetic_quickstart", "synthetic_wide_world"}) {
    EXPECT_EQ(Shipped().count(stem), 1u) << stem;
  }
}

TEST(ShippedExperiments, UnseenClassesAreTheCatalogsSplit) {
  for (const auto& [stem, e] : Shipped()) {
    if (stem.find("_to_") != std::string::npos) continue;  // cross-dataset: every class scored as seen
    if (!e.data().classes().empty()) continue;             // a class list of its own, a split of its own (below)
    const data::DatasetClasses* catalog = data::FindDatasetClasses(DatasetKey(e.data().dataset()));
    ASSERT_NE(catalog, nullptr) << stem;
    EXPECT_EQ(UnseenOf(e), std::set<std::string>(catalog->unseen.begin(), catalog->unseen.end())) << stem;
  }
}

TEST(ShippedExperiments, RealDataFilesFollowTheAuthorsRecipe) {
  for (const auto& [stem, e] : Shipped()) {
    if (e.data().dataset() == SYNTHETIC) continue;
    SCOPED_TRACE(stem);
    EXPECT_FLOAT_EQ(e.train().lr(), 2e-5f);
    EXPECT_FLOAT_EQ(e.train().weight_decay(), 0.01f);
    EXPECT_FLOAT_EQ(e.train().head_lr_mult(), 10);
    EXPECT_EQ(e.train().schedule(), POLY);
    EXPECT_FLOAT_EQ(e.train().poly_power(), 0.9f);
    EXPECT_FLOAT_EQ(e.train().min_lr(), 1e-6f);
    EXPECT_EQ(e.train().warmup_iters(), 1500);
    EXPECT_EQ(e.data().batch_size_per_rank() * 4, 16);  // 4 per GPU x 4 GPUs
    EXPECT_EQ(e.data().crop_size(), 512);
    EXPECT_EQ(e.data().scale_long(), 2048);
    EXPECT_EQ(e.data().scale_short(), 512);
    EXPECT_EQ(e.eval().mode(), SLIDE);
    EXPECT_EQ(e.eval().crop(), 512);
    EXPECT_EQ(e.eval().stride(), 426);
    EXPECT_EQ(e.eval().test_short_side(), 512);
    EXPECT_EQ(e.eval().test_min_size(), 512);  // the authors' Resize(keep_ratio=True, min_size=512)
    EXPECT_EQ(e.model().encoder_mode(), DEEP_PROMPT);
    EXPECT_EQ(e.model().prompt_depth(), 11);
    EXPECT_EQ(e.model().query(), RELATIONSHIP);
    EXPECT_EQ(e.model().loss().kind(), NEL);
    EXPECT_FLOAT_EQ(e.model().loss().focal_weight(), 100);
    EXPECT_FLOAT_EQ(e.model().loss().dice_weight(), 1);
    // The authors' focal term counts ignored pixels (background, unseen) as negatives of every class.
    EXPECT_TRUE(e.model().loss().ignore_as_negative());
    EXPECT_EQ(e.model().decoder().layers(), 3);
    EXPECT_EQ(e.model().clip().vision_width(), 768);
    // The calibration offset belongs to the inductive setting only (the released code: 0.1, none after ST).
    EXPECT_FLOAT_EQ(e.model().seen_score_offset(), e.model().setting() == INDUCTIVE ? 0.1f : 0.0f);
  }
}

TEST(ShippedExperiments, IterationsAndPromptTokensPerDataset) {
  const std::map<std::string, std::pair<int, int>> expected = {
      {"voc_inductive", {20000, 10}},         {"voc_transductive", {10000, 10}},
      {"voc_fully_supervised", {20000, 10}},  {"coco_inductive", {80000, 100}},
      {"coco_transductive", {40000, 100}},    {"coco_fully_supervised", {80000, 100}},
      {"context_inductive", {40000, 10}},     {"context_transductive", {20000, 10}},
      {"coco_to_voc_eval", {-1, 100}},        {"coco_to_context_eval", {-1, 100}}};
  for (const auto& [stem, iters_tokens] : expected) {
    const Experiment& e = Get(stem);
    if (iters_tokens.first > 0) EXPECT_EQ(e.train().max_iters(), iters_tokens.first) << stem;
    EXPECT_EQ(e.model().prompt_tokens(), iters_tokens.second) << stem;
  }
}

TEST(ShippedExperiments, TransductiveRunsStartFromTheInductiveRunsFinalCheckpoint) {
  for (const std::string dataset : {"voc", "coco", "context"}) {
    const Experiment& inductive = Get(dataset + "_inductive");
    const Experiment& st = Get(dataset + "_transductive");
    EXPECT_EQ(st.model().setting(), TRANSDUCTIVE);
    EXPECT_EQ(st.train().init_checkpoint(),
              "runs/" + dataset + "_inductive/iter_" + std::to_string(inductive.train().max_iters()) + ".ckpt");
    EXPECT_EQ(st.train().max_iters() * 2, inductive.train().max_iters()) << dataset;
    // Same model and text as the run it continues.
    EXPECT_EQ(st.model().prompt_tokens(), inductive.model().prompt_tokens());
    EXPECT_EQ(std::vector<std::string>(st.model().templates().begin(), st.model().templates().end()),
              std::vector<std::string>(inductive.model().templates().begin(), inductive.model().templates().end()))
        << dataset;
  }
}

TEST(ShippedExperiments, SettingsTemplatesAndDatasets) {
  EXPECT_EQ(Get("voc_fully_supervised").model().setting(), FULLY_SUPERVISED);
  EXPECT_EQ(Get("coco_fully_supervised").model().setting(), FULLY_SUPERVISED);
  EXPECT_EQ(Get("context_inductive").model().setting(), INDUCTIVE);
  EXPECT_EQ(Get("coco_inductive").data().dataset(), COCO_STUFF);
  EXPECT_EQ(Get("context_inductive").data().dataset(), PASCAL_CONTEXT59);
  EXPECT_EQ(Get("voc_transductive").data().train_split(), "train_aug");
  // COCO's text: the authors' 15 templates, the first "a photo of a {}.".
  const Experiment& coco = Get("coco_inductive");
  ASSERT_EQ(coco.model().templates_size(), 15);
  EXPECT_EQ(coco.model().templates(0), "a photo of a {}.");
  EXPECT_EQ(coco.model().templates(14), "This is one {} in the scene.");
  EXPECT_EQ(Get("voc_transductive").model().templates_size(), 1);
}

TEST(ShippedExperiments, CrossDatasetFilesScoreEveryTargetClass) {
  for (const auto& [stem, classes, dataset] :
       {std::tuple{"coco_to_voc_eval", 20, VOC2012}, std::tuple{"coco_to_context_eval", 59, PASCAL_CONTEXT59}}) {
    const Experiment& e = Get(stem);
    EXPECT_EQ(e.data().dataset(), dataset) << stem;
    absl::StatusOr<ClassSplit> split = ResolveClassSplit(e.data());
    ASSERT_TRUE(split.ok()) << split.status();
    EXPECT_EQ(split->seen.size(), static_cast<size_t>(classes)) << stem;
    EXPECT_TRUE(split->unseen.empty()) << stem;
    EXPECT_EQ(e.model().setting(), FULLY_SUPERVISED) << stem;
  }
}

// Hypothesis (a)'s world: the quickstart's classes all seen, 8 unseen ones that each carry exactly one attribute no
// seen class has, and a CLIP pre-trained on every composition; otherwise the quickstart's recipe.
TEST(ShippedExperiments, TheWideWorldSeparatesWhatCLIPKnowsFromWhatTheSegmenterSees) {
  const Experiment& wide = Get("synthetic_wide_world");
  const Experiment& quickstart = Get("synthetic_quickstart");
  absl::StatusOr<ClassSplit> split = ResolveClassSplit(wide.data());
  ASSERT_TRUE(split.ok()) << split.status();
  const data::DatasetClasses* base = data::FindDatasetClasses("synthetic");
  ASSERT_EQ(split->seen.size(), 36u);
  for (int64_t k = 0; k < 36; ++k) EXPECT_EQ(split->names[split->seen[k]], base->names[k]);
  ASSERT_EQ(split->unseen.size(), 8u);
  for (int64_t k : split->unseen) {
    const int64_t id = data::FindSyntheticComposition(split->names[k]);
    const bool new_colour = data::SyntheticCompositionColour(id) >= 6;
    const bool new_pattern = data::SyntheticCompositionPattern(id) >= 6;
    EXPECT_TRUE(new_colour != new_pattern) << split->names[k];
  }
  EXPECT_EQ(wide.pretrain().classes_size(), data::SyntheticCompositionCount());
  Experiment same = wide;
  same.mutable_data()->clear_classes();
  same.mutable_data()->mutable_unseen_classes()->CopyFrom(quickstart.data().unseen_classes());
  same.mutable_pretrain()->clear_classes();
  same.set_name(quickstart.name());
  same.set_description(quickstart.description());
  same.mutable_train()->set_max_iters(quickstart.train().max_iters());
  same.mutable_train()->set_checkpoint_interval(quickstart.train().checkpoint_interval());
  same.mutable_train()->set_eval_interval(quickstart.train().eval_interval());
  EXPECT_EQ(same.SerializeAsString(), quickstart.SerializeAsString());
}

TEST(ShippedSweeps, EverySweepExpandsAndEveryPointValidates) {
  const std::vector<std::string> paths = Glob("experiments/sweeps");
  EXPECT_GE(paths.size(), 2u);
  for (const std::string& path : paths) {
    absl::StatusOr<SweepPlan> plan = LoadSweep(path, {});
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_FALSE(plan->points.empty()) << path;
  }
}

TEST(ShippedSweeps, TheAblationsVaryTheThreeDesigns) {
  absl::StatusOr<SweepPlan> voc = LoadSweep("experiments/sweeps/voc_ablation.pbtxt", {});
  ASSERT_TRUE(voc.ok()) << voc.status();
  ASSERT_EQ(voc->points.size(), 12u);
  EXPECT_EQ(voc->points.front().name, "encoder=FROZEN__loss=EL__query=TEXT");
  EXPECT_EQ(voc->points[4].name, "encoder=FINETUNE__loss=EL__query=TEXT");
  EXPECT_EQ(voc->points.back().name, "encoder=DEEP_PROMPT__loss=NEL__query=RELATIONSHIP");
  // The last point is the base file itself: ZegCLIP.
  EXPECT_EQ(voc->points.back().experiment.SerializeAsString(), Get("voc_inductive").SerializeAsString());
  EXPECT_EQ(voc->points.front().experiment.model().encoder_mode(), FROZEN);
  EXPECT_EQ(voc->points[4].experiment.model().encoder_mode(), FINETUNE);

  absl::StatusOr<SweepPlan> synthetic = LoadSweep("experiments/sweeps/synthetic_ablation.pbtxt", {});
  ASSERT_TRUE(synthetic.ok()) << synthetic.status();
  ASSERT_EQ(synthetic->points.size(), 36u);
  EXPECT_EQ(synthetic->points[12].name, "encoder=FROZEN__loss=EL__query=TEXT__seed=1");
  const Experiment& e = synthetic->points[12].experiment;
  EXPECT_EQ(e.model().encoder_mode(), FROZEN);
  EXPECT_EQ(e.seed(), 1u);
  EXPECT_EQ(e.model().clip().checkpoint(), "runs/quickstart/clip/clip.pt");
  EXPECT_EQ(e.model().clip().bpe_vocab(), "runs/quickstart/clip/world_bpe.txt.gz");
  EXPECT_EQ(e.data().dataset(), SYNTHETIC);
}

}  // namespace
}  // namespace zegclip::config
