#include "zegclip/pretrain/world_vocabulary.h"

#include <gtest/gtest.h>

#include "data/synthetic_world.h"
#include "zegclip/clip/bpe_tokenizer.h"

namespace zegclip::pretrain {
namespace {

std::vector<int64_t> Ids(int64_t from, int64_t to) {
  std::vector<int64_t> ids;
  for (int64_t id = from; id < to; ++id) ids.push_back(id);
  return ids;
}

absl::StatusOr<clip::BpeTokenizer> LearnAndLoad(const std::string& name, const std::vector<int64_t>& compositions) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/" + name;
  if (absl::Status s = WriteWorldVocabulary(path, compositions, {"a {} object."}); !s.ok()) return s;
  clip::BpeTokenizerOptions options;
  options.merges_path = path;
  return clip::BpeTokenizer::Load(options);
}

TEST(WorldVocabulary, EveryWorldWordIsOneTokenAndCaptionsFitAShortContext) {
  absl::StatusOr<clip::BpeTokenizer> tokenizer = LearnAndLoad("world_bpe.txt.gz", Ids(0, 36));
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
  for (const std::string& word : data::SyntheticCaptionWords(Ids(0, 36))) {
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

// The base world's corpus, hashed: the value was computed before the extra colours and patterns existed, so the
// default job's vocabulary (and with it every token id) is unchanged.
TEST(WorldVocabulary, BaseCorpusIsExactlyAsBeforeTheExtraAttributes) {
  uint64_t h = 1469598103934665603ULL;
  for (const std::string& line : WorldCorpus(Ids(0, 36), {"a {} object."})) {
    for (char c : line + "\n") h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  }
  EXPECT_EQ(h, 1518937244321940521ULL);
}

// A CLIP pre-trained on all 64 compositions gets one token per new word; one pre-trained on the base 36 spells them
// out in byte pieces (it never saw them), and still encodes them.
TEST(WorldVocabulary, ExtraAttributesAreWordsOnlyWhereTheCorpusHasThem) {
  absl::StatusOr<clip::BpeTokenizer> wide = LearnAndLoad("wide_bpe.txt.gz", Ids(0, 64));
  ASSERT_TRUE(wide.ok()) << wide.status();
  for (const std::string& word : data::SyntheticCaptionWords(Ids(0, 64))) {
    absl::StatusOr<std::vector<int64_t>> one = wide->Encode(word);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->size(), 1u) << word;
  }
  absl::StatusOr<std::vector<int64_t>> cyan = wide->Encode("a cyan zigzag object.");
  ASSERT_TRUE(cyan.ok());
  EXPECT_EQ(cyan->size(), 5u);
  absl::StatusOr<clip::BpeTokenizer> narrow = LearnAndLoad("narrow_bpe.txt.gz", Ids(0, 36));
  ASSERT_TRUE(narrow.ok()) << narrow.status();
  absl::StatusOr<std::vector<int64_t>> spelled = narrow->Encode("a cyan zigzag object.");
  ASSERT_TRUE(spelled.ok());
  EXPECT_GT(spelled->size(), 5u);
  EXPECT_LE(spelled->size() + 2, 24u);  // still within the quickstart's context
}

}  // namespace
}  // namespace zegclip::pretrain
