#include "zegclip/clip/vision_transformer.h"

#include <cmath>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/positional_embedding.h"
#include "zegclip/testing/tensor_fixtures.h"
#include "zegclip/testing/tiny_clip_options.h"

namespace zegclip::clip {
namespace {

using ::zegclip::testing::TinyClipOptions;
using ::zegclip::testing::TestImages;

VisionTransformer MakeVisual(EncoderMode mode, int64_t depth = 2, int64_t tokens = 3,
                             std::vector<int64_t> intermediate = {}) {
  at::manual_seed(21);
  ClipOptions o = TinyClipOptions();
  o.intermediate_layers = std::move(intermediate);
  VisionTransformer v(VisionOptionsFrom(o, PromptOptions{mode, tokens, depth, /*dropout=*/0.1}));
  v->eval();
  return v;
}

// Copies every parameter `from` shares by name with `to`.
void CopyShared(VisionTransformerImpl& from, VisionTransformerImpl& to) {
  at::NoGradGuard no_grad;
  auto source = from.named_parameters();
  for (auto& item : to.named_parameters()) {
    if (const at::Tensor* src = source.find(item.key())) item.value().copy_(*src);
  }
}

// The recipe written out step by step (eval mode), slicing the patches as the authors do: the LAST H·W tokens.
struct Reference {
  at::Tensor tokens;  // (B, 1 + H·W, embed) after ln_post @ proj
  std::vector<at::Tensor> hidden;  // every block's patch outputs
};

Reference RunReference(VisionTransformerImpl& v, const at::Tensor& images) {
  const VisionTransformerOptions& o = v.options();
  const bool prompted = UsesPrompts(o.prompt.mode);
  const bool deep = o.prompt.mode == EncoderMode::kDeepPrompt;
  const int64_t n = o.prompt.tokens, b = images.size(0);
  at::Tensor x = v.conv1(images);
  const int64_t gh = x.size(2), gw = x.size(3), hw = gh * gw;
  x = x.flatten(2).transpose(1, 2);
  x = at::cat({v.class_embedding.expand({b, 1, o.width}), x}, 1) +
      ResizePositionalEmbedding(v.positional_embedding, gh, gw);
  x = v.ln_pre(x);
  auto prompt = [&](const at::Tensor& p) { return v.prompt_proj(p).expand({b, n, o.width}); };
  if (prompted) x = at::cat({x.narrow(1, 0, 1), prompt(v.prompt_embeddings[0]), x.narrow(1, 1, hw)}, 1);
  Reference ref;
  for (int64_t i = 0; i < o.layers; ++i) {
    if (deep && i >= 1 && i <= o.prompt.depth) {
      x = at::cat({x.narrow(1, 0, 1), prompt(v.deep_prompt_embeddings[i - 1]), x.narrow(1, x.size(1) - hw, hw)}, 1);
    } else if (deep && i == o.prompt.depth + 1) {
      x = at::cat({x.narrow(1, 0, 1), x.narrow(1, x.size(1) - hw, hw)}, 1);
    }
    x = v.transformer->block(i)->forward(x);
    ref.hidden.push_back(x.narrow(1, x.size(1) - hw, hw));
  }
  if (deep) x = v.prompt_norm(x);
  x = at::cat({x.narrow(1, 0, 1), x.narrow(1, x.size(1) - hw, hw)}, 1);
  ref.tokens = v.ln_post(x).matmul(v.proj);
  return ref;
}

at::Tensor Unit(const at::Tensor& x) { return x / x.norm(2, {-1}, true); }

void ExpectMatchesReference(VisionTransformerImpl& v, const at::Tensor& images) {
  at::NoGradGuard no_grad;
  VisionOutput out = v.ForwardDense(images);
  Reference ref = RunReference(v, images);
  const int64_t hw = out.grid_h * out.grid_w;
  EXPECT_TRUE(out.global.allclose(Unit(ref.tokens.select(1, 0)), 1e-4, 1e-5));
  EXPECT_TRUE(out.patches.allclose(Unit(ref.tokens.narrow(1, 1, hw)), 1e-4, 1e-5));
  EXPECT_TRUE(v.forward(images).allclose(ref.tokens.select(1, 0), 1e-4, 1e-5));
}

TEST(VisionTransformer, DenseShapesAt224And512) {
  VisionTransformer v = MakeVisual(EncoderMode::kFrozen);
  at::NoGradGuard no_grad;
  VisionOutput out224 = v->ForwardDense(TestImages(2, 224, 224));
  EXPECT_EQ(out224.grid_h, 14);
  EXPECT_EQ(out224.grid_w, 14);
  EXPECT_EQ(out224.patches.sizes(), (std::vector<int64_t>{2, 196, 32}));
  EXPECT_EQ(out224.global.sizes(), (std::vector<int64_t>{2, 32}));
  VisionOutput out512 = v->ForwardDense(TestImages(1, 512, 512));
  EXPECT_EQ(out512.patches.sizes(), (std::vector<int64_t>{1, 1024, 32}));
  EXPECT_TRUE(out512.patches.norm(2, {-1}).allclose(at::ones({1, 1024}), 1e-5, 1e-5));
  EXPECT_TRUE(out512.global.norm(2, {-1}).allclose(at::ones({1}), 1e-5, 1e-5));
  VisionOutput wide = v->ForwardDense(TestImages(1, 32, 80));
  EXPECT_EQ(wide.grid_h, 2);
  EXPECT_EQ(wide.grid_w, 5);
  EXPECT_THROW(v->ForwardDense(TestImages(1, 40, 32)), c10::Error);
}

TEST(VisionTransformer, PlainEncoderMatchesTheRecipe) {
  VisionTransformer v = MakeVisual(EncoderMode::kFrozen);
  ExpectMatchesReference(*v, TestImages(2, 32, 32));   // native grid
  ExpectMatchesReference(*v, TestImages(1, 64, 48));   // resized positions
}

TEST(VisionTransformer, DeepPromptsMatchTheRecipe) {
  VisionTransformer v = MakeVisual(EncoderMode::kDeepPrompt, /*depth=*/2);  // prompts before blocks 0, 1, 2
  ExpectMatchesReference(*v, TestImages(2, 64, 64));
}

TEST(VisionTransformer, ShallowerDeepPromptsAreDroppedAfterDepth) {
  VisionTransformer v = MakeVisual(EncoderMode::kDeepPrompt, /*depth=*/1);  // block 2 runs without prompts
  ExpectMatchesReference(*v, TestImages(2, 48, 32));
}

TEST(VisionTransformer, ShallowPromptsMatchTheRecipe) {
  VisionTransformer v = MakeVisual(EncoderMode::kShallowPrompt);
  EXPECT_FALSE(v->prompt_norm);
  EXPECT_FALSE(v->deep_prompt_embeddings.defined());
  ExpectMatchesReference(*v, TestImages(2, 32, 32));
}

TEST(VisionTransformer, PromptShapesAndInitialisation) {
  VisionTransformer v = MakeVisual(EncoderMode::kDeepPrompt, /*depth=*/2, /*tokens=*/10);
  EXPECT_EQ(v->prompt_embeddings.sizes(), (std::vector<int64_t>{1, 10, 64}));
  EXPECT_EQ(v->deep_prompt_embeddings.sizes(), (std::vector<int64_t>{2, 10, 64}));
  EXPECT_EQ(v->prompt_proj->weight.sizes(), (std::vector<int64_t>{64, 64}));
  EXPECT_DOUBLE_EQ(v->prompt_norm->options.eps(), 1e-6);
  const double bound = std::sqrt(6.0 / (3.0 * 16 * 16 + 64));  // 0.1443
  at::Tensor all = at::cat({v->prompt_embeddings.flatten(), v->deep_prompt_embeddings.flatten()});
  EXPECT_LE(all.abs().max().item<double>(), bound);
  EXPECT_GT(all.abs().max().item<double>(), 0.95 * bound);
  // kaiming-normal, fan_out = 64, gain sqrt(2): std = sqrt(2 / 64).
  EXPECT_NEAR(v->prompt_proj->weight.std().item<double>(), std::sqrt(2.0 / 64), 0.1 * std::sqrt(2.0 / 64));
  std::vector<std::string> names;
  for (const auto& item : v->named_parameters()) {
    if (item.key().find("prompt") != std::string::npos) names.push_back(item.key());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"prompt_embeddings", "deep_prompt_embeddings", "prompt_proj.weight",
                                              "prompt_proj.bias", "prompt_norm.weight", "prompt_norm.bias"}));
  EXPECT_EQ(v->PromptParameters().size(), 6u);
}

TEST(VisionTransformer, PromptsChangeTheOutputs) {
  VisionTransformer deep = MakeVisual(EncoderMode::kDeepPrompt, 2);
  VisionTransformer plain = MakeVisual(EncoderMode::kFrozen);
  CopyShared(*deep, *plain);
  at::NoGradGuard no_grad;
  at::Tensor images = TestImages(1, 32, 32);
  at::Tensor base = deep->ForwardDense(images).patches;
  EXPECT_GT((base - plain->ForwardDense(images).patches).abs().max().item<float>(), 1e-3f);
  deep->deep_prompt_embeddings[1].add_(0.5);  // the prompts before the last block
  at::Tensor changed = deep->ForwardDense(images).patches;
  EXPECT_GT((changed - base).abs().max().item<float>(), 1e-4f);
}

TEST(VisionTransformer, PromptDropoutOnlyWhileTraining) {
  VisionTransformer v = MakeVisual(EncoderMode::kDeepPrompt, 2);
  at::NoGradGuard no_grad;
  at::Tensor images = TestImages(2, 32, 32);
  v->train();
  EXPECT_FALSE(v->forward(images).equal(v->forward(images)));
  v->eval();
  EXPECT_TRUE(v->forward(images).equal(v->forward(images)));
}

TEST(VisionTransformer, IntermediateLayersAreBlockOutputs) {
  VisionTransformer v = MakeVisual(EncoderMode::kDeepPrompt, 2, 3, /*intermediate=*/{0, 2});
  at::NoGradGuard no_grad;
  at::Tensor images = TestImages(2, 48, 48);
  VisionOutput out = v->ForwardDense(images);
  Reference ref = RunReference(*v, images);
  ASSERT_EQ(out.intermediates.size(), 2u);
  EXPECT_EQ(out.intermediates[0].sizes(), (std::vector<int64_t>{2, 9, 64}));
  EXPECT_TRUE(out.intermediates[0].allclose(ref.hidden[0], 1e-4, 1e-5));
  EXPECT_TRUE(out.intermediates[1].allclose(ref.hidden[2], 1e-4, 1e-5));
  ClipOptions bad = TinyClipOptions();
  bad.intermediate_layers = {2, 1};
  EXPECT_THROW(VisionTransformer(VisionOptionsFrom(bad, PromptOptions{})), c10::Error);
}

TEST(VisionTransformer, GlobalIsNormalisedEncodeImage) {
  VisionTransformer v = MakeVisual(EncoderMode::kDeepPrompt, 2);
  at::NoGradGuard no_grad;
  at::Tensor images = TestImages(3, 32, 32);
  EXPECT_TRUE(v->ForwardDense(images).global.allclose(Unit(v->forward(images)), 1e-5, 1e-6));
}

TEST(VisionTransformer, ClassEmbeddingTwiceEqualsShiftedClassPosition) {
  ClipOptions quirk = TinyClipOptions();
  quirk.class_embedding_twice = true;
  VisionTransformer a(VisionOptionsFrom(quirk, PromptOptions{}));
  VisionTransformer b = MakeVisual(EncoderMode::kFinetune);
  CopyShared(*b, *a);
  at::NoGradGuard no_grad;
  b->positional_embedding[0].add_(b->class_embedding);  // OpenAI model with the authors' extra term folded in
  at::Tensor images = TestImages(1, 64, 64);
  EXPECT_TRUE(a->forward(images).allclose(b->forward(images), 1e-4, 1e-5));
}

TEST(VisionTransformer, PositionCacheFollowsParameterUpdates) {
  VisionTransformer v = MakeVisual(EncoderMode::kFrozen);
  at::NoGradGuard no_grad;
  at::Tensor images = TestImages(1, 64, 64);
  at::Tensor first = v->ForwardDense(images).patches;
  EXPECT_TRUE(v->ForwardDense(images).patches.equal(first));
  v->positional_embedding.mul_(2.0);
  at::Tensor second = v->ForwardDense(images).patches;
  EXPECT_GT((second - first).abs().max().item<float>(), 1e-4f);
  EXPECT_TRUE(second.allclose(Unit(RunReference(*v, images).tokens.narrow(1, 1, 16)), 1e-4, 1e-5));
}

TEST(VisionTransformer, RejectsBadPromptOptions) {
  ClipOptions o = TinyClipOptions();
  EXPECT_THROW(VisionTransformer(VisionOptionsFrom(o, PromptOptions{EncoderMode::kDeepPrompt, 4, /*depth=*/3})),
               c10::Error);
  EXPECT_THROW(VisionTransformer(VisionOptionsFrom(o, PromptOptions{EncoderMode::kDeepPrompt, 4, /*depth=*/0})),
               c10::Error);
  EXPECT_THROW(VisionTransformer(VisionOptionsFrom(o, PromptOptions{EncoderMode::kShallowPrompt, 0})), c10::Error);
}

}  // namespace
}  // namespace zegclip::clip
