#include "zegclip/clip/encoder_mode.h"

#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "zegclip/clip/clip_model.h"
#include "zegclip/testing/tensor_fixtures.h"
#include "zegclip/testing/tiny_clip_options.h"

namespace zegclip::clip {
namespace {

using ::zegclip::testing::TinyClipOptions;
using ::zegclip::testing::TestImages;

std::set<std::string> TrainableNames(const ClipModelImpl& model) {
  std::set<std::string> names;
  for (const auto& item : model.named_parameters()) {
    if (item.value().requires_grad()) names.insert(item.key());
  }
  return names;
}

// Backward of a loss on every dense output; returns the names of parameters that received a non-zero gradient.
std::set<std::string> NamesWithGradient(ClipModelImpl& model, int64_t size) {
  model.train();
  VisionOutput out = model.visual->ForwardDense(TestImages(2, size, size));
  (out.patches.pow(3).sum() + out.global.pow(3).sum()).backward();
  std::set<std::string> names;
  for (const auto& item : model.named_parameters()) {
    const at::Tensor& g = item.value().grad();
    if (g.defined() && g.abs().max().item<float>() > 0) names.insert(item.key());
  }
  return names;
}

TEST(EncoderMode, DeepPromptTrainsOnlyPrompts) {
  ClipModel model(TinyClipOptions(), PromptOptions{EncoderMode::kDeepPrompt, 4, 2});
  ApplyEncoderMode(*model, EncoderMode::kDeepPrompt);
  const std::set<std::string> prompts = {"visual.prompt_embeddings", "visual.deep_prompt_embeddings",
                                         "visual.prompt_proj.weight", "visual.prompt_proj.bias",
                                         "visual.prompt_norm.weight", "visual.prompt_norm.bias"};
  EXPECT_EQ(TrainableNames(*model), prompts);
  EXPECT_EQ(model->VisualTrainableParameters().size(), prompts.size());
  EXPECT_EQ(NamesWithGradient(*model, 64), prompts);
  EXPECT_FALSE(model->visual->conv1->weight.grad().defined());
  EXPECT_FALSE(model->visual->transformer->block(0)->attn->in_proj_weight.grad().defined());
}

TEST(EncoderMode, ShallowPromptTrainsPromptAndProjection) {
  ClipModel model(TinyClipOptions(), PromptOptions{EncoderMode::kShallowPrompt, 4});
  ApplyEncoderMode(*model, EncoderMode::kShallowPrompt);
  const std::set<std::string> prompts = {"visual.prompt_embeddings", "visual.prompt_proj.weight",
                                         "visual.prompt_proj.bias"};
  EXPECT_EQ(TrainableNames(*model), prompts);
  EXPECT_EQ(NamesWithGradient(*model, 32), prompts);
}

TEST(EncoderMode, FrozenTrainsNothing) {
  ClipModel model(TinyClipOptions(), PromptOptions{EncoderMode::kFrozen});
  ApplyEncoderMode(*model, EncoderMode::kFrozen);
  EXPECT_TRUE(TrainableNames(*model).empty());
  EXPECT_TRUE(model->VisualTrainableParameters().empty());
  EXPECT_FALSE(model->visual->has_prompts());
}

TEST(EncoderMode, FinetuneTrainsEveryVisualWeightAndNoTextWeight) {
  ClipModel model(TinyClipOptions(), PromptOptions{EncoderMode::kFinetune});
  ApplyEncoderMode(*model, EncoderMode::kFinetune);
  std::set<std::string> visual;
  for (const auto& item : model->named_parameters()) {
    if (item.key().rfind("visual.", 0) == 0) visual.insert(item.key());
  }
  EXPECT_EQ(visual.size(), 4u + 2 + 2 + 3 * 12);  // conv1, class, positions, proj, ln_pre, ln_post, blocks
  EXPECT_EQ(TrainableNames(*model), visual);
  EXPECT_EQ(model->VisualTrainableParameters().size(), visual.size());
  // At 64x64 the positional embedding is resized from the 2x2 grid: its gradient flows through the resize.
  std::set<std::string> with_grad = NamesWithGradient(*model, 64);
  EXPECT_EQ(with_grad, visual);
  EXPECT_FALSE(model->logit_scale.requires_grad());
  EXPECT_FALSE(model->token_embedding->weight.requires_grad());
}

TEST(EncoderMode, PromptModeNeedsAMatchingModel) {
  ClipModel plain(TinyClipOptions());
  EXPECT_THROW(ApplyEncoderMode(*plain, EncoderMode::kDeepPrompt), c10::Error);
  ClipModel shallow(TinyClipOptions(), PromptOptions{EncoderMode::kShallowPrompt});
  EXPECT_THROW(ApplyEncoderMode(*shallow, EncoderMode::kDeepPrompt), c10::Error);
  // Freezing or fine-tuning a prompted model is allowed (e.g. evaluation).
  ApplyEncoderMode(*shallow, EncoderMode::kFrozen);
  EXPECT_TRUE(TrainableNames(*shallow).empty());
}

}  // namespace
}  // namespace zegclip::clip
