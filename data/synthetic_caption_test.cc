#include "data/synthetic_caption.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "data/class_catalog.h"

namespace zegclip::data {
namespace {

// An independent reading of a phrased caption back into sorted class ids: strip the frame, split the objects, find
// each object's colour word and its pattern (an adjective or a "with ..." phrase). -1 marks what it cannot read.
std::vector<int64_t> ReadCaption(std::string caption) {
  static const std::map<std::string, int64_t> kPatternWords = {
      {"plain", 0},  {"horizontal", 1}, {"vertical", 2},  {"diagonal", 3},  {"dotted", 4},  {"spotted", 4},
      {"checkered", 5}, {"chequered", 5}, {"no pattern", 0}, {"horizontal stripes", 1}, {"vertical stripes", 2},
      {"diagonal stripes", 3}, {"dots", 4}, {"checks", 5}};
  absl::string_view text(caption);
  if (!absl::ConsumeSuffix(&text, " on a noisy background.")) {
    EXPECT_TRUE(absl::ConsumeSuffix(&text, ".")) << caption;
  }
  if (!absl::ConsumePrefix(&text, "a picture of ")) absl::ConsumePrefix(&text, "there is ");
  std::vector<int64_t> ids;
  for (absl::string_view object : absl::StrSplit(text, absl::ByAnyChar(","))) {
    for (absl::string_view part : absl::StrSplit(object, " and ")) {
      part = absl::StripAsciiWhitespace(part);
      int64_t colour = -1, pattern = -1;
      std::vector<std::string> words = absl::StrSplit(part, ' ');
      const auto with = std::find(words.begin(), words.end(), "with");
      for (auto w = words.begin(); w != with; ++w) {
        const auto& colours = SyntheticColours();
        const auto c = std::find(colours.begin(), colours.end(), *w);
        if (c != colours.end()) colour = c - colours.begin();
        if (kPatternWords.count(*w)) pattern = kPatternWords.at(*w);
      }
      if (with != words.end()) {
        std::vector<std::string> rest(with + 1, words.end());
        const std::string phrase = absl::StrJoin(rest, " ");
        pattern = kPatternWords.count(phrase) ? kPatternWords.at(phrase) : -1;
      }
      ids.push_back(colour < 0 || pattern < 0 ? -1 : colour * 6 + pattern);
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(SyntheticCaption, CanonicalSentences) {
  EXPECT_EQ(SyntheticCaption({4}), "a red dotted object.");
  EXPECT_EQ(SyntheticCaption({4, 12}), "a red dotted object and a blue plain object.");
  EXPECT_EQ(SyntheticCaption({4, 6, 12}), "a red dotted object, a green plain object and a blue plain object.");
  EXPECT_EQ(SyntheticCaption({}), "");
}

TEST(SyntheticCaption, KeyIgnoresOrder) {
  EXPECT_EQ(SyntheticCaptionKey({12, 4}), SyntheticCaptionKey({4, 12}));
  EXPECT_EQ(SyntheticCaptionKey({12, 4}), "a red dotted object and a blue plain object.");
  EXPECT_NE(SyntheticCaptionKey({12, 5}), SyntheticCaptionKey({12, 4}));
}

TEST(SyntheticCaption, EveryPhrasingSaysExactlyItsObjects) {
  const std::vector<std::vector<int64_t>> contents = {{0}, {35}, {4, 12}, {3, 17, 29}, {1, 8, 15}};
  for (const auto& ids : contents) {
    std::vector<int64_t> sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    std::set<std::string> phrasings;
    for (uint64_t draw = 0; draw < 400; ++draw) {
      SampleRng rng(draw);
      const std::string caption = PhrasedSyntheticCaption(ids, rng);
      EXPECT_EQ(ReadCaption(caption), sorted) << caption;
      phrasings.insert(caption);
    }
    // Many distinct phrasings of one content (one object: 4 shapes-ish x 3 nouns x 4 frames and synonyms).
    EXPECT_GE(phrasings.size(), ids.size() == 1 ? 20u : 100u) << SyntheticCaption(ids);
  }
}

TEST(SyntheticCaption, PhrasingIsDeterministicAndUsesOnlyListedWords) {
  std::vector<int64_t> base(36);
  for (int64_t k = 0; k < 36; ++k) base[k] = k;
  const std::vector<std::string> words = SyntheticCaptionWords(base);
  const std::set<std::string> vocabulary(words.begin(), words.end());
  for (uint64_t draw = 0; draw < 200; ++draw) {
    SampleRng a(draw), b(draw);
    const std::string caption = PhrasedSyntheticCaption({2, 20, 33}, a);
    EXPECT_EQ(caption, PhrasedSyntheticCaption({2, 20, 33}, b));
    std::string spaced;
    for (char c : caption) spaced += (c == ',' || c == '.') ? std::string(" ") + c : std::string(1, c);
    for (absl::string_view word : absl::StrSplit(spaced, ' ', absl::SkipEmpty())) {
      EXPECT_TRUE(vocabulary.count(std::string(word))) << word << " in " << caption;
    }
  }
  // The canonical pattern names are among the words (the class names stay expressible).
  for (const std::string& pattern : SyntheticPatterns()) EXPECT_TRUE(vocabulary.count(pattern)) << pattern;
}

TEST(SyntheticCaption, ExtraColoursAndPatternsHaveTheirWords) {
  EXPECT_EQ(SyntheticCaption({62, 4}), "a pink gridded object and a red dotted object.");
  const std::vector<std::string> words = SyntheticCaptionWords({62});  // pink gridded
  const std::set<std::string> vocabulary(words.begin(), words.end());
  for (const char* word : {"pink", "gridded", "grid", "with", "a", "object"}) {
    EXPECT_TRUE(vocabulary.count(word)) << word;
  }
  for (const char* word : {"red", "zigzag", "dots"}) EXPECT_FALSE(vocabulary.count(word)) << word;
  for (uint64_t draw = 0; draw < 100; ++draw) {
    SampleRng rng(draw);
    const std::string caption = PhrasedSyntheticCaption({63}, rng);  // pink zigzag
    EXPECT_NE(caption.find("pink"), std::string::npos) << caption;
    EXPECT_NE(caption.find("zigzag"), std::string::npos) << caption;
  }
}

TEST(SyntheticCaption, OneIsNeverTheFirstObject) {
  for (uint64_t draw = 0; draw < 300; ++draw) {
    SampleRng rng(draw);
    const std::string caption = PhrasedSyntheticCaption({7}, rng);
    EXPECT_EQ(caption.find(" one"), std::string::npos) << caption;
  }
}

}  // namespace
}  // namespace zegclip::data
