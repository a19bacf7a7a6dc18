// Full-size CLIP ViT-B/16 (slow: ~150 M parameters). Tagged `large`.
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/testing/tensor_fixtures.h"

namespace zegclip::clip {
namespace {

using ::zegclip::testing::TestImages;

TEST(ClipModelLarge, ViTB16ShapesAndParameterCount) {
  ClipModel model(ClipOptions::ViTB16(), PromptOptions{EncoderMode::kDeepPrompt, 10, 11});
  int64_t clip_params = 0;
  int64_t prompt_params = 0;
  for (const auto& item : model->named_parameters()) {
    (item.key().find("prompt") == std::string::npos ? clip_params : prompt_params) += item.value().numel();
  }
  EXPECT_EQ(clip_params, 149620737);
  // 10 + 11·10 tokens of 768, prompt_proj 768² + 768, prompt_norm 2·768.
  EXPECT_EQ(prompt_params, 120 * 768 + 768 * 768 + 768 + 2 * 768);
  ApplyEncoderMode(*model, EncoderMode::kDeepPrompt);
  model->eval();
  at::NoGradGuard no_grad;
  EXPECT_EQ(model->EncodeImage(TestImages(1, 224, 224)).sizes(), (std::vector<int64_t>{1, 512}));
  VisionOutput dense = model->visual->ForwardDense(TestImages(1, 512, 512));
  EXPECT_EQ(dense.grid_h, 32);
  EXPECT_EQ(dense.patches.sizes(), (std::vector<int64_t>{1, 1024, 512}));
  EXPECT_EQ(dense.global.sizes(), (std::vector<int64_t>{1, 512}));
  at::Tensor tokens = at::zeros({2, 77}, at::kLong);
  tokens.select(1, 0).fill_(49406);
  tokens.select(1, 1).fill_(49407);
  EXPECT_EQ(model->EncodeText(tokens).sizes(), (std::vector<int64_t>{2, 512}));
}

}  // namespace
}  // namespace zegclip::clip
