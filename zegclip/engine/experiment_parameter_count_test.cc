// The acceptance's parameter counts, from the shipped experiment files through SummarizeExperiment (what
// `zegclip summary` prints): the ViT-B/16 VOC experiment (DPT n = 10, RD, NEL) has 13,821,184 learnable parameters
// in the authors' convention (their "13.8 M") and the COCO one (n = 100) 14,650,624 ("14.6 M"). Hand derivation in
// zegclip/model/parameter_summary_test.cc.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "zegclip/config/config_loader.h"
#include "zegclip/engine/model_summary.h"
#include "zegclip/model/parameter_summary.h"

namespace zegclip::engine {
namespace {

model::ParameterSummary SummaryOf(const std::string& path) {
  absl::StatusOr<config::Experiment> e = config::LoadExperiment(path, {});
  EXPECT_TRUE(e.ok()) << e.status();
  if (!e.ok()) return {};
  absl::StatusOr<model::ParameterSummary> summary = SummarizeExperiment(*e);
  EXPECT_TRUE(summary.ok()) << summary.status();
  return summary.ok() ? *summary : model::ParameterSummary{};
}

TEST(ExperimentParameterCount, VocInductiveIsTheAuthors13Point8M) {
  const model::ParameterSummary s = SummaryOf("experiments/voc_inductive.pbtxt");
  EXPECT_EQ(s.authors_learnable, 13'821'184) << model::FormatParameterSummary(s);
  EXPECT_EQ(s.learnable, 13'821'184 - 3'154'944);
  std::cout << model::FormatParameterSummary(s);
}

TEST(ExperimentParameterCount, CocoInductiveIsTheAuthors14Point6M) {
  const model::ParameterSummary s = SummaryOf("experiments/coco_inductive.pbtxt");
  EXPECT_EQ(s.authors_learnable, 14'650'624) << model::FormatParameterSummary(s);
}

}  // namespace
}  // namespace zegclip::engine
