#include "zegclip/pretrain/world_vocabulary.h"

#include <gtest/gtest.h>

#include "data/synthetic_world.h"
#include "zegclip/clip/bpe_tokenizer.h"

namespace zegclip::pretrain {
namespace {

TEST(WorldVocabulary, EveryWorldWordIsOneTokenAndCaptionsFitAShortContext) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/world_bpe.txt.gz";
  ASSERT_TRUE(WriteWorldVocabulary(path, {"a {} object."}).ok());
  clip::BpeTokenizerOptions options;
  options.merges_path = path;
  absl::StatusOr<clip::BpeTokenizer> tokenizer = clip::BpeTokenizer::Load(options);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_LT(tokenizer->vocab_size(), 1000);
  EXPECT_EQ(tokenizer->eot_id(), tokenizer->vocab_size() - 1);
  // "a red dotted object." = a, red, dotted, object, "." → 5 tokens.
  absl::StatusOr<std::vector<int64_t>> ids = tokenizer->Encode("a red dotted object.");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 5u);
  // The longest caption (three objects) fits in 24 tokens with sot/eot.
  absl::StatusOr<std::vector<int64_t>> longest =
      tokenizer->Encode(data::SyntheticCaption({0, 13, 26}));
  ASSERT_TRUE(longest.ok());
  EXPECT_LE(longest->size() + 2, 24u);
  for (const std::string& word : data::SyntheticCaptionWords()) {
    absl::StatusOr<std::vector<int64_t>> one = tokenizer->Encode(word);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->size(), 1u) << word;
  }
  // Varied phrasings of three objects stay within the 24-token context too (many draws).
  for (uint64_t draw = 0; draw < 500; ++draw) {
    data::SampleRng rng(draw);
    const std::string caption = data::PhrasedSyntheticCaption({1, 14, 27}, rng);
    absl::StatusOr<std::vector<int64_t>> phrased = tokenizer->Encode(caption);
    ASSERT_TRUE(phrased.ok());
    EXPECT_LE(phrased->size() + 2, 24u) << caption;
  }
  for (const std::string& name : data::SyntheticClassNames()) {
    absl::StatusOr<std::vector<int64_t>> words = tokenizer->Encode(name);
    ASSERT_TRUE(words.ok());
    EXPECT_EQ(words->size(), 2u) << name;
  }
}

}  // namespace
}  // namespace zegclip::pretrain
