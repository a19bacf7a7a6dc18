// The acceptance's parameterised test: every combination of encoder mode × query kind × loss × setting builds from an
// experiment config (loaded, overridden and validated like any experiment file, then mapped to Options by
// zegclip/engine/experiment_options.h) and runs a forward + backward training step on CPU with a tiny CLIP. The loss is finite,
// gradients reach exactly the parameters the mode trains, the optimizer's groups hold exactly those, and one AdamW
// step moves them and nothing else.
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/train/param_groups.h"
#include "zegclip/train/segmentation_step.h"

namespace zegclip::engine {
namespace {

// Tiny CLIP (16² images, patch 8 -> 2x2 grid), 2 decoder layers, the synthetic world's 36 classes, 4 unseen.
constexpr char kExperiment[] = R"pb(
  name: "combinations"
  model {
    clip { patch_size: 8 pretrain_image_size: 16 vision_width: 16 vision_layers: 3 vision_heads: 2 embed_dim: 8
           text_width: 8 text_heads: 2 text_layers: 1 context_length: 8 vocab_size: 64 }
    prompt_tokens: 2
    prompt_depth: 2
    decoder { layers: 2 width: 8 heads: 2 input_projection: true }
  }
  data {
    dataset: SYNTHETIC
    unseen_classes: ["red dotted", "green checkered", "blue plain", "yellow horizontal"]
    crop_size: 16
    synthetic { image_size: 16 min_object_size: 4 max_object_size: 8 }
  }
  eval { crop: 16 stride: 16 }
)pb";

using Combination = std::tuple<const char*, const char*, const char*, const char*>;

std::string ConfigPath() {
  const std::string path = testing::TempDir() + "/combinations.pbtxt";
  std::ofstream(path) << kExperiment;
  return path;
}

// Whether `name` trains in the mode (by the encoder-mode contract of zegclip/clip/encoder_mode.h and the head).
bool Trains(const std::string& name, const std::string& mode) {
  if (absl::StartsWith(name, "decoder.") || absl::StartsWith(name, "rd.")) return true;
  if (!absl::StartsWith(name, "clip.visual.")) return false;  // the text tower and logit_scale never train
  if (mode == "FINETUNE") return true;
  if (mode == "FROZEN") return false;
  const bool prompt = absl::StrContains(name, "prompt_embeddings") || absl::StrContains(name, "prompt_proj.") ||
                      absl::StrContains(name, "prompt_norm.");
  return prompt && (mode == "DEEP_PROMPT" || !absl::StrContains(name, "deep_prompt"));
}

// The last decoder layer's parts after its attention scores (value path, output projection, FFN, norms): the
// prediction is that layer's scores, so no loss reaches them (the authors' model carries them just the same).
bool AfterTheLastScores(const std::string& name) {
  if (!absl::StartsWith(name, "decoder.layers.1.")) return false;
  return !absl::StrContains(name, "multihead_attn.q.") && !absl::StrContains(name, "multihead_attn.k.");
}

class SegmentorCombination : public testing::TestWithParam<Combination> {};

TEST_P(SegmentorCombination, BuildsFromTheConfigAndTrainsExactlyWhatTheModeSays) {
  const auto [mode, query, loss, setting] = GetParam();
  absl::StatusOr<config::Experiment> e = config::LoadExperiment(
      ConfigPath(), {absl::StrCat("model.encoder_mode=", mode), absl::StrCat("model.query=", query),
                     absl::StrCat("model.loss.kind=", loss), absl::StrCat("model.setting=", setting),
                     // Self-training starts from a trained model (validation refuses TRANSDUCTIVE without one).
                     std::string("train.init_checkpoint=") + (std::string(setting) == "TRANSDUCTIVE" ? "a.ckpt" : "")});
  ASSERT_TRUE(e.ok()) << e.status();
  torch::manual_seed(0);
  model::ZegClipSegmentor model(SegmentorOptionsFrom(e->model(), ClipOptionsFrom(e->model().clip())));
  clip::ApplyEncoderMode(*model->clip, PromptOptionsFrom(e->model()).mode);
  EXPECT_EQ(static_cast<bool>(model->rd), std::string(query) == "RELATIONSHIP");
  train::ParamGroups groups = train::ParamGroups::Build(train::NamedParameters(*model), ParamGroupOptionsFrom(e->train()));
  std::unique_ptr<torch::optim::AdamW> adamw = groups.MakeAdamW();

  at::Tensor text = at::randn({36, 8});
  text = text / text.norm(2, -1, true);
  data::Batch batch;
  batch.images = at::randn({2, 3, 16, 16});
  batch.labels = at::randint(0, 36, {2, 16, 16}, at::kLong);
  batch.labels.slice(1, 0, 3).fill_(255);   // some ignored pixels
  batch.labels.slice(1, 3, 6).fill_(2);     // and some of an unseen class ("blue plain" = 2) for sure
  train::SegmentationStep step(model, text, StepOptionsFrom(*e));
  model->train();
  train::StepOutput out = step.Step(batch);
  ASSERT_TRUE(std::isfinite(out.loss.item<double>())) << out.loss;
  out.loss.backward();

  std::set<std::string> grouped;
  for (const train::ParamGroup& g : groups.groups()) grouped.insert(g.names.begin(), g.names.end());
  std::map<std::string, at::Tensor> before;
  for (const auto& item : model->named_parameters()) before[item.key()] = item.value().detach().clone();
  adamw->step();
  for (const auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    const at::Tensor& p = item.value();
    const bool trains = Trains(name, mode);
    EXPECT_EQ(p.requires_grad(), trains) << name;
    EXPECT_EQ(grouped.count(name) == 1, trains) << name << " in the optimizer's groups";
    const bool reached = p.grad().defined() && p.grad().abs().sum().item<double>() > 0;
    EXPECT_EQ(reached, trains && !AfterTheLastScores(name)) << name << " gradient";
    if (p.grad().defined()) {
      EXPECT_TRUE(p.grad().isfinite().all().item<bool>()) << name;
    }
    EXPECT_EQ(!at::equal(p, before[name]), reached) << name << " moved by one AdamW step";
  }
}

std::string Name(const testing::TestParamInfo<Combination>& info) {
  const auto [mode, query, loss, setting] = info.param;
  return absl::StrCat(mode, "_", query, "_", loss, "_", setting);
}

INSTANTIATE_TEST_SUITE_P(
    AllOfThem, SegmentorCombination,
    testing::Combine(testing::Values("FROZEN", "FINETUNE", "SHALLOW_PROMPT", "DEEP_PROMPT"),
                     testing::Values("TEXT", "RELATIONSHIP"), testing::Values("EL", "NEL"),
                     testing::Values("INDUCTIVE", "TRANSDUCTIVE", "FULLY_SUPERVISED")),
    Name);

}  // namespace
}  // namespace zegclip::engine
