// The acceptance's parameter counts, from the shipped experiment files through the config → Options mapping: the
// ViT-B/16 VOC experiment (DPT n = 10, RD, NEL) has 13,821,184 learnable parameters in the authors' convention (their
// "13.8 M") and the COCO one (n = 100) 14,650,624 ("14.6 M"). Hand derivation in
// zegclip/model/parameter_summary_test.cc.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "zegclip/engine/experiment_options.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/model/parameter_summary.h"

namespace zegclip::engine {
namespace {

model::ParameterSummary SummaryOf(const std::string& path) {
  absl::StatusOr<config::Experiment> e = config::LoadExperiment(path, {});
  EXPECT_TRUE(e.ok()) << e.status();
  if (!e.ok()) return {};
  model::ZegClipSegmentor model(SegmentorOptionsFrom(e->model(), ClipOptionsFrom(e->model().clip())));
  clip::ApplyEncoderMode(*model->clip, PromptOptionsFrom(e->model()).mode);
  return model::SummarizeParameters(*model);
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
