#include "zegclip/model/zegclip_segmentor.h"

#include <gtest/gtest.h>

#include "zegclip/clip/encoder_mode.h"

namespace zegclip::model {
namespace {

SegmentorOptions Tiny(clip::EncoderMode mode, bool rd) {
  SegmentorOptions o;
  o.clip.image_resolution = 32;
  o.clip.patch_size = 8;
  o.clip.vision_width = 32;
  o.clip.vision_layers = 3;
  o.clip.vision_heads = 2;
  o.clip.embed_dim = 16;
  o.clip.context_length = 77;
  o.clip.vocab_size = 49408;
  o.clip.text_width = 16;
  o.clip.text_heads = 2;
  o.clip.text_layers = 1;
  o.prompt.mode = mode;
  o.prompt.tokens = 2;
  o.prompt.depth = 2;
  o.decoder.width = 16;
  o.decoder.heads = 2;
  o.decoder.layers = 2;
  o.relationship_descriptor = rd;
  return o;
}

clip::BpeTokenizer OpenAiTokenizer() {
  clip::BpeTokenizerOptions options;
  options.merges_path = "third_party/clip/bpe_simple_vocab_16e6.txt.gz";
  absl::StatusOr<clip::BpeTokenizer> tokenizer = clip::BpeTokenizer::Load(options);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status();
  return *tokenizer;
}

TEST(ZegClipSegmentor, MasksPerLayerAtThePatchGridAndLogitsAtTheInput) {
  torch::manual_seed(0);
  ZegClipSegmentor model(Tiny(clip::EncoderMode::kDeepPrompt, true));
  model->eval();
  at::Tensor images = at::randn({2, 3, 48, 64});
  at::Tensor text = at::randn({5, 16});
  text = text / text.norm(2, -1, true);
  std::vector<at::Tensor> masks = model->forward(images, text);
  ASSERT_EQ(masks.size(), 2u);
  EXPECT_EQ(masks.back().sizes(), (at::IntArrayRef{2, 5, 6, 8}));
  at::Tensor logits = model->Logits(images, text);
  EXPECT_EQ(logits.sizes(), (at::IntArrayRef{2, 5, 48, 64}));
  // Upsampling a constant map is exact; and the logits are the upsampled last mask.
  EXPECT_TRUE(at::allclose(logits, UpsampleLogits(masks.back(), 48, 64), 1e-5, 1e-6));
}

TEST(ZegClipSegmentor, RelationshipDescriptorMakesQueriesImageDependent) {
  torch::manual_seed(1);
  at::Tensor text = at::randn({3, 16});
  text = text / text.norm(2, -1, true);
  ZegClipSegmentor with_rd(Tiny(clip::EncoderMode::kFrozen, true));
  ZegClipSegmentor without(Tiny(clip::EncoderMode::kFrozen, false));
  EXPECT_TRUE(with_rd->rd);
  EXPECT_FALSE(without->rd);
  // Without RD the head has no q_proj: fewer head parameters by exactly the RD's Linear(2D -> D).
  const int64_t rd_params = 2 * 16 * 16 + 16;
  int64_t a = 0, b = 0;
  for (const at::Tensor& p : with_rd->HeadParameters()) a += p.numel();
  for (const at::Tensor& p : without->HeadParameters()) b += p.numel();
  EXPECT_EQ(a - b, rd_params);
}

TEST(ZegClipSegmentor, DeepPromptTrainsPromptsAndHeadOnly) {
  torch::manual_seed(2);
  ZegClipSegmentor model(Tiny(clip::EncoderMode::kDeepPrompt, true));
  clip::ApplyEncoderMode(*model->clip, clip::EncoderMode::kDeepPrompt);
  at::Tensor text = at::randn({4, 16});
  model->forward(at::randn({1, 3, 32, 32}), text / text.norm(2, -1, true)).back().pow(2).sum().backward();
  for (const auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    const bool trainable = name.find("prompt") != std::string::npos || name.rfind("decoder.", 0) == 0 ||
                           name.rfind("rd.", 0) == 0;
    EXPECT_EQ(item.value().requires_grad(), trainable) << name;
    if (name == "clip.visual.deep_prompt_embeddings" || name == "rd.q_proj.weight") {
      ASSERT_TRUE(item.value().grad().defined()) << name;
      EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0) << name;
    }
  }
  EXPECT_EQ(model->EncoderTrainableParameters().size(), model->clip->visual->PromptParameters().size());
}

TEST(ZegClipSegmentor, ClassEmbeddingsAreUnitTemplateMeans) {
  torch::manual_seed(3);
  ZegClipSegmentor model(Tiny(clip::EncoderMode::kFrozen, true));
  clip::BpeTokenizer tokenizer = OpenAiTokenizer();
  at::Tensor one = model->EmbedClasses(tokenizer, {"cat", "dog"}, {"a photo of a {}."});
  at::Tensor two = model->EmbedClasses(tokenizer, {"cat", "dog"}, {"a photo of a {}.", "a {}."});
  EXPECT_EQ(one.sizes(), (at::IntArrayRef{2, 16}));
  EXPECT_TRUE(at::allclose(one.norm(2, -1), at::ones({2}), 1e-5, 1e-6));
  EXPECT_FALSE(one.requires_grad());
  // The two-template embedding is the normalised mean of the two single-template ones.
  at::Tensor other = model->EmbedClasses(tokenizer, {"cat", "dog"}, {"a {}."});
  at::Tensor mean = one + other;
  EXPECT_TRUE(at::allclose(two, mean / mean.norm(2, -1, true), 1e-5, 1e-6));
  EXPECT_FALSE(at::allclose(one[0], one[1]));
}

}  // namespace
}  // namespace zegclip::model
