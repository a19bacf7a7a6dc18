// The recipe's learnable-parameter count for deep prompt tuning of the ViT-B/16 image encoder with n = 10 tokens
// (ZegCLIP paper / ZEGCLIP_RECIPE.md): prompts 92,160 + prompt projection 590,592 + prompt LayerNorm 1,536,
// counted on a constructed full-size model after ApplyEncoderMode.
#include <cstdint>
#include <map>
#include <string>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/encoder_mode.h"

namespace zegclip::clip {
namespace {

std::map<std::string, int64_t> TrainableByName(const ClipModelImpl& model) {
  std::map<std::string, int64_t> trainable;
  for (const auto& item : model.named_parameters()) {
    if (item.value().requires_grad()) trainable[item.key()] = item.value().numel();
  }
  return trainable;
}

TEST(DeepPromptParameterCount, ViTB16WithTenTokensMatchesTheRecipe) {
  ClipModel model(ClipOptions::ViTB16(), PromptOptions{EncoderMode::kDeepPrompt, /*tokens=*/10, /*depth=*/11});
  ApplyEncoderMode(*model, EncoderMode::kDeepPrompt);
  int64_t optimizer_params = 0;
  for (const at::Tensor& p : model->VisualTrainableParameters()) optimizer_params += p.numel();
  EXPECT_EQ(optimizer_params, 92160 + 590592 + 1536);

  // Nothing else in the whole model trains (text tower, logit_scale, CLIP's image weights), and the parts are the
  // recipe's: (1 + 11) layers x 10 tokens x 768, a 768 x 768 linear with bias, a LayerNorm of 768.
  const std::map<std::string, int64_t> expected = {
      {"visual.prompt_embeddings", 10 * 768},
      {"visual.deep_prompt_embeddings", 11 * 10 * 768},
      {"visual.prompt_proj.weight", 768 * 768},
      {"visual.prompt_proj.bias", 768},
      {"visual.prompt_norm.weight", 768},
      {"visual.prompt_norm.bias", 768},
  };
  EXPECT_EQ(TrainableByName(*model), expected);
}

TEST(DeepPromptParameterCount, ShallowPromptsTrainOnlyLayerZeroTokensAndProjection) {
  ClipModel model(ClipOptions::ViTB16(), PromptOptions{EncoderMode::kShallowPrompt, /*tokens=*/10, /*depth=*/11});
  ApplyEncoderMode(*model, EncoderMode::kShallowPrompt);
  int64_t total = 0;
  for (const auto& [name, count] : TrainableByName(*model)) total += count;
  EXPECT_EQ(total, 10 * 768 + 768 * 768 + 768);
}

}  // namespace
}  // namespace zegclip::clip
