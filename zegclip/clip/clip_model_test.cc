#include "zegclip/clip/clip_model.h"

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "zegclip/testing/tensor_fixtures.h"
#include "zegclip/testing/tiny_clip_options.h"

namespace zegclip::clip {
namespace {

using ::zegclip::testing::TinyClipOptions;
using ::zegclip::testing::TestImages;

// OpenAI's state-dict keys for a ViT CLIP, written out from model.py's module tree.
std::set<std::string> OpenAiKeys(int64_t vision_layers, int64_t text_layers) {
  std::set<std::string> keys = {"positional_embedding", "text_projection", "logit_scale", "token_embedding.weight",
                                "ln_final.weight", "ln_final.bias", "visual.class_embedding",
                                "visual.positional_embedding", "visual.proj", "visual.conv1.weight",
                                "visual.ln_pre.weight", "visual.ln_pre.bias", "visual.ln_post.weight",
                                "visual.ln_post.bias"};
  auto add_blocks = [&keys](const std::string& prefix, int64_t layers) {
    for (int64_t i = 0; i < layers; ++i) {
      const std::string b = prefix + "transformer.resblocks." + std::to_string(i) + ".";
      for (const char* leaf : {"attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight",
                               "attn.out_proj.bias", "ln_1.weight", "ln_1.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
                               "mlp.c_proj.weight", "mlp.c_proj.bias", "ln_2.weight", "ln_2.bias"}) {
        keys.insert(b + leaf);
      }
    }
  };
  add_blocks("visual.", vision_layers);
  add_blocks("", text_layers);
  return keys;
}

std::set<std::string> ModelKeys(const ClipModelImpl& model) {
  std::set<std::string> keys;
  for (const auto& item : model.named_parameters()) keys.insert(item.key());
  return keys;
}

// Tokens of one row: SOT = vocab-2, then `words`, then EOT = vocab-1, then zeros.
at::Tensor Row(const ClipOptions& o, const std::vector<int64_t>& words) {
  at::Tensor row = at::zeros({1, o.context_length}, at::kLong);
  row[0][0] = o.vocab_size - 2;
  for (size_t i = 0; i < words.size(); ++i) row[0][static_cast<int64_t>(i) + 1] = words[i];
  row[0][static_cast<int64_t>(words.size()) + 1] = o.vocab_size - 1;
  return row;
}

TEST(ClipModel, ParameterNamesAreOpenAis) {
  ClipModel model(TinyClipOptions());
  EXPECT_EQ(ModelKeys(*model), OpenAiKeys(3, 2));
  auto params = model->named_parameters();
  EXPECT_EQ(params["visual.conv1.weight"].sizes(), (std::vector<int64_t>{64, 3, 16, 16}));
  EXPECT_EQ(params["visual.positional_embedding"].sizes(), (std::vector<int64_t>{5, 64}));
  EXPECT_EQ(params["visual.proj"].sizes(), (std::vector<int64_t>{64, 32}));
  EXPECT_EQ(params["visual.transformer.resblocks.2.attn.in_proj_weight"].sizes(), (std::vector<int64_t>{192, 64}));
  EXPECT_EQ(params["visual.transformer.resblocks.0.mlp.c_fc.weight"].sizes(), (std::vector<int64_t>{256, 64}));
  EXPECT_EQ(params["token_embedding.weight"].sizes(), (std::vector<int64_t>{50, 64}));
  EXPECT_EQ(params["positional_embedding"].sizes(), (std::vector<int64_t>{12, 64}));
  EXPECT_EQ(params["text_projection"].sizes(), (std::vector<int64_t>{64, 32}));
  EXPECT_EQ(params["logit_scale"].dim(), 0);
}

TEST(ClipModel, ViTB16ParameterCountFromOpenAiShapes) {
  // Computed from OpenAI's shapes alone (not from this model), then checked against the published total.
  const int64_t w = 768, tw = 512, e = 512;
  const int64_t vblock = (3 * w * w + 3 * w) + (w * w + w) + 2 * w + (w * 4 * w + 4 * w) + (4 * w * w + w) + 2 * w;
  const int64_t tblock =
      (3 * tw * tw + 3 * tw) + (tw * tw + tw) + 2 * tw + (tw * 4 * tw + 4 * tw) + (4 * tw * tw + tw) + 2 * tw;
  const int64_t vision = w * 3 * 16 * 16 + w + 197 * w + 2 * w + 12 * vblock + 2 * w + w * e;
  const int64_t text = 49408 * tw + 77 * tw + 12 * tblock + 2 * tw + tw * e;
  EXPECT_EQ(vision + text + 1, 149620737);
  // The same formula on the tiny model must agree with its instantiated parameter count.
  ClipModel tiny(TinyClipOptions());
  int64_t count = 0;
  for (const at::Tensor& p : tiny->parameters()) count += p.numel();
  const int64_t tvb = (3 * 64 * 64 + 192) + (64 * 64 + 64) + 128 + (64 * 256 + 256) + (256 * 64 + 64) + 128;
  EXPECT_EQ(count, (64 * 3 * 256 + 64 + 5 * 64 + 128 + 3 * tvb + 128 + 64 * 32) +
                       (50 * 64 + 12 * 64 + 2 * tvb + 128 + 64 * 32) + 1);
}

TEST(ClipModel, OpenAiInitialisation) {
  ClipOptions o = TinyClipOptions();
  o.vocab_size = 2000;
  o.text_width = 128;
  o.text_layers = 4;
  at::manual_seed(0);
  ClipModel model(o);
  auto std_of = [](const at::Tensor& t) { return t.std().item<double>(); };
  EXPECT_NEAR(model->logit_scale.item<double>(), std::log(1.0 / 0.07), 1e-6);
  EXPECT_NEAR(std_of(model->token_embedding->weight), 0.02, 0.02 * 0.03);
  EXPECT_NEAR(std_of(model->positional_embedding), 0.01, 0.01 * 0.1);
  EXPECT_NEAR(std_of(model->text_projection), 1.0 / std::sqrt(128.0), 0.1 / std::sqrt(128.0));
  const double proj_std = 1.0 / std::sqrt(128.0) / std::sqrt(8.0);
  EXPECT_NEAR(std_of(model->transformer->block(3)->attn->in_proj_weight), 1.0 / std::sqrt(128.0),
              0.05 / std::sqrt(128.0));
  EXPECT_NEAR(std_of(model->transformer->block(0)->mlp->c_proj->weight), proj_std, 0.05 * proj_std);
  EXPECT_NEAR(std_of(model->transformer->block(1)->mlp->c_fc->weight), 1.0 / 16.0, 0.05 / 16.0);
  // Image tower: scale · randn with scale = width^-1/2.
  EXPECT_NEAR(std_of(model->visual->proj), 1.0 / 8.0, 0.1 / 8.0);
  EXPECT_EQ(model->visual->transformer->block(0)->attn->in_proj_bias.abs().max().item<float>(), 0.0f);
}

TEST(ClipModel, OutputShapes) {
  ClipOptions o = TinyClipOptions();
  ClipModel model(o);
  model->eval();
  at::NoGradGuard no_grad;
  EXPECT_EQ(model->EncodeImage(TestImages(2, 32, 32)).sizes(), (std::vector<int64_t>{2, 32}));
  EXPECT_EQ(model->EncodeImage(TestImages(1, 224, 224)).sizes(), (std::vector<int64_t>{1, 32}));
  at::Tensor tokens = at::cat({Row(o, {3, 4}), Row(o, {5})}, 0);
  at::Tensor text = model->EncodeText(tokens);
  EXPECT_EQ(text.sizes(), (std::vector<int64_t>{2, 32}));
  at::Tensor logits = model->forward(TestImages(3, 32, 32), tokens);
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 2}));
  // Contrastive logits are scaled cosines: |logit| <= exp(logit_scale) = 1 / 0.07.
  EXPECT_LE(logits.abs().max().item<float>(), 1.0f / 0.07f + 1e-3f);
}

TEST(ClipModel, EncodeTextPoolsTheEndOfTextToken) {
  ClipOptions o = TinyClipOptions();
  ClipModel model(o);
  model->eval();
  at::NoGradGuard no_grad;
  at::Tensor tokens = at::cat({Row(o, {3, 4, 5}), Row(o, {7})}, 0);
  // Reference: the hidden state at argmax(tokens) (positions 4 and 2), by hand.
  at::Tensor x = model->token_embedding(tokens) + model->positional_embedding.unsqueeze(0);
  x = model->ln_final(model->transformer(x));
  at::Tensor expected = at::stack({x[0][4], x[1][2]}).matmul(model->text_projection);
  EXPECT_TRUE(model->EncodeText(tokens).allclose(expected, 1e-5, 1e-6));
}

TEST(ClipModel, TextIsCausal) {
  ClipOptions o = TinyClipOptions();
  ClipModel model(o);
  model->eval();
  at::NoGradGuard no_grad;
  at::Tensor a = Row(o, {3, 4});
  at::Tensor b = a.clone();
  b[0][6] = 9;   // after EOT (position 3): must not matter
  b[0][10] = 20;
  EXPECT_TRUE(model->EncodeText(a).equal(model->EncodeText(b)));
  at::Tensor c = a.clone();
  c[0][2] = 9;  // before EOT: must matter
  EXPECT_GT((model->EncodeText(a) - model->EncodeText(c)).abs().max().item<float>(), 1e-4f);
}

TEST(ClipModel, ShorterTokenRowsUseTheFirstPositions) {
  ClipOptions o = TinyClipOptions();
  ClipModel model(o);
  model->eval();
  at::NoGradGuard no_grad;
  at::Tensor full = Row(o, {3, 4});
  // Causality makes the first 6 positions independent of the padding that follows.
  EXPECT_TRUE(model->EncodeText(full.narrow(1, 0, 6)).allclose(model->EncodeText(full), 1e-5, 1e-6));
  EXPECT_THROW(model->EncodeText(at::zeros({1, 13}, at::kLong)), c10::Error);
  EXPECT_THROW(model->EncodeText(at::zeros({1, 5}, at::kInt)), c10::Error);
}

TEST(ClipModel, DropPathOnlyInTheImageTower) {
  ClipOptions o = TinyClipOptions();
  o.drop_path = 0.2;
  ClipModel model(o);
  EXPECT_DOUBLE_EQ(model->visual->transformer->block(0)->drop_path(), 0.0);
  EXPECT_DOUBLE_EQ(model->visual->transformer->block(1)->drop_path(), 0.1);
  EXPECT_DOUBLE_EQ(model->visual->transformer->block(2)->drop_path(), 0.2);
  EXPECT_DOUBLE_EQ(model->transformer->block(1)->drop_path(), 0.0);
  at::Tensor images = TestImages(8, 32, 32);
  model->train();
  EXPECT_FALSE(model->EncodeImage(images).equal(model->EncodeImage(images)));
  model->eval();
  EXPECT_TRUE(model->EncodeImage(images).equal(model->EncodeImage(images)));
}

TEST(ClipModel, FusedAttentionSwitchKeepsOutputs) {
  ClipModel model(TinyClipOptions());
  model->eval();
  at::NoGradGuard no_grad;
  at::Tensor images = TestImages(1, 64, 64);
  at::Tensor before = model->EncodeImage(images);
  model->SetFusedAttention(!model->options().fused_attention);
  EXPECT_TRUE(model->EncodeImage(images).allclose(before, 1e-4, 1e-5));
}

}  // namespace
}  // namespace zegclip::clip
