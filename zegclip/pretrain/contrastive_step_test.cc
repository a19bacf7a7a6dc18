#include "zegclip/pretrain/contrastive_step.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "data/synthetic_world.h"
#include "zegclip/pretrain/contrastive_loss.h"
#include "zegclip/pretrain/world_vocabulary.h"

namespace zegclip::pretrain {
namespace {

TEST(TrimToLongest, KeepsTheColumnsUpToTheLastEndOfText) {
  // Rows [sot, ids..., eot, 0...] with eot = 9, the largest id.
  const at::Tensor tokens = at::tensor({8, 3, 4, 9, 0, 0, 8, 9, 0, 0, 0, 0}, at::kLong).view({2, 6});
  const at::Tensor trimmed = TrimToLongest(tokens);
  EXPECT_EQ(trimmed.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_TRUE(trimmed.equal(tokens.narrow(1, 0, 4)));
  const at::Tensor full = at::tensor({8, 3, 9, 8, 4, 9}, at::kLong).view({2, 3});
  EXPECT_TRUE(TrimToLongest(full).equal(full));
  EXPECT_THROW(TrimToLongest(at::zeros({0, 4}, at::kLong)), c10::Error);
}

clip::BpeTokenizer WorldTokenizer() {
  const std::string path = ::testing::TempDir() + "contrastive_step_world_bpe.txt.gz";  // TempDir ends with /
  EXPECT_TRUE(WriteWorldVocabulary(path, data::SyntheticLabelCompositions({}), {"a {} object."}).ok());
  clip::BpeTokenizerOptions options;
  options.merges_path = path;
  absl::StatusOr<clip::BpeTokenizer> tokenizer = clip::BpeTokenizer::Load(options);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status();
  return *tokenizer;
}

// A CLIP small enough for a unit test: 16x16 images in 8x8 patches, width 32, the world vocabulary, context 24.
clip::ClipOptions TinyClip(const clip::BpeTokenizer& tokenizer, int64_t layers) {
  clip::ClipOptions options;
  options.image_resolution = 16;
  options.patch_size = 8;
  options.vision_width = 32;
  options.vision_layers = layers;
  options.vision_heads = 2;
  options.embed_dim = 16;
  options.text_width = 32;
  options.text_heads = 2;
  options.text_layers = layers;
  options.context_length = 24;
  options.vocab_size = tokenizer.vocab_size();
  options.class_embedding_twice = false;
  return options;
}

TEST(ContrastiveStep, TrimmedTextGivesTheFullContextLoss) {
  const clip::BpeTokenizer tokenizer = WorldTokenizer();
  const clip::ClipOptions options = TinyClip(tokenizer, /*layers=*/2);
  at::manual_seed(0);
  clip::ClipModel clip(options);
  data::Batch batch;
  batch.images = at::randn({3, 3, 16, 16});
  batch.captions = {data::SyntheticCaption({0}), data::SyntheticCaption({3, 17}), data::SyntheticCaption({0})};
  const at::Tensor loss = ContrastiveStep(clip, tokenizer).Step(batch).loss;

  // The reference: every caption padded to the full context, duplicates (rows 0 and 2) as shared positives.
  absl::StatusOr<at::Tensor> full = tokenizer.Tokenize(batch.captions, options.context_length);
  ASSERT_TRUE(full.ok());
  EXPECT_LT(TrimToLongest(*full).size(1), options.context_length);
  const at::Tensor expected = ContrastiveLoss(clip->EncodeImage(batch.images), clip->EncodeText(*full),
                                              clip->logit_scale, at::tensor({0, 1, 0}, at::kLong));
  EXPECT_NEAR(loss.item<double>(), expected.item<double>(), 1e-5);
  EXPECT_TRUE(loss.requires_grad());
}

// Two phrasings of one content are positives through their keys; without keys they would be negatives.
TEST(ContrastiveStep, CaptionKeysMakePhrasingsPositives) {
  const clip::BpeTokenizer tokenizer = WorldTokenizer();
  const clip::ClipOptions options = TinyClip(tokenizer, /*layers=*/1);
  at::manual_seed(1);
  clip::ClipModel clip(options);
  data::Batch batch;
  batch.images = at::randn({3, 3, 16, 16});
  batch.captions = {"a red dotted object.", "a blue blob with checks.", "a picture of a spotted red shape."};
  batch.caption_keys = {data::SyntheticCaptionKey({4}), data::SyntheticCaptionKey({17}),
                        data::SyntheticCaptionKey({4})};
  const double keyed = ContrastiveStep(clip, tokenizer).Step(batch).loss.item<double>();

  absl::StatusOr<at::Tensor> tokens = tokenizer.Tokenize(batch.captions, options.context_length);
  ASSERT_TRUE(tokens.ok());
  const at::Tensor image = clip->EncodeImage(batch.images);
  const at::Tensor text = clip->EncodeText(*tokens);
  const double shared = ContrastiveLoss(image, text, clip->logit_scale, at::tensor({0, 1, 0}, at::kLong)).item<double>();
  const double distinct = ContrastiveLoss(image, text, clip->logit_scale, at::tensor({0, 1, 2}, at::kLong)).item<double>();
  EXPECT_NEAR(keyed, shared, 1e-5);
  EXPECT_GT(std::abs(keyed - distinct), 1e-4);

  batch.caption_keys.clear();  // no keys: the texts decide, and all three differ
  EXPECT_NEAR(ContrastiveStep(clip, tokenizer).Step(batch).loss.item<double>(), distinct, 1e-5);
}

}  // namespace
}  // namespace zegclip::pretrain
