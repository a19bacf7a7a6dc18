// Tests for BPE merge learning: hand-computed merges, a naive reference learner, and the synthetic-world vocabulary
// loaded back by BpeTokenizer (every corpus word must become one token).
#include "zegclip/clip/bpe_learner.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/clip/text_cleaning.h"
#include "zegclip/testing/temp_path.h"

namespace zegclip::clip {
namespace {

using ::zegclip::testing::TempPath;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(LearnBpeMergesTest, HandComputedTieBreaks) {
  // Words "aaa" -> [a a a</w>] and "ab" -> [a b</w>]: every pair occurs once, so the smaller spelling wins:
  // (a, a) first; then (a, b</w>) beats (aa, a</w>); then (aa, a</w>); then every word is one symbol.
  absl::StatusOr<std::vector<BpeMerge>> merges = LearnBpeMerges({"aaa", "ab"}, 100);
  ASSERT_TRUE(merges.ok()) << merges.status();
  EXPECT_THAT(*merges, ElementsAre(BpeMerge("a", "a"), BpeMerge("a", "b</w>"), BpeMerge("aa", "a</w>")));
}

TEST(LearnBpeMergesTest, MostFrequentPairFirstAndLimit) {
  // "ab" occurs three times, "cd" once (after lower-casing and cleaning).
  absl::StatusOr<std::vector<BpeMerge>> merges = LearnBpeMerges({"AB ab", "  ab cd "}, 100);
  ASSERT_TRUE(merges.ok()) << merges.status();
  EXPECT_THAT(*merges, ElementsAre(BpeMerge("a", "b</w>"), BpeMerge("c", "d</w>")));
  EXPECT_THAT(*LearnBpeMerges({"AB ab", "ab cd"}, 1), ElementsAre(BpeMerge("a", "b</w>")));
  EXPECT_TRUE(LearnBpeMerges({"AB ab"}, 0)->empty());
  // Bytes use OpenAI's stand-ins: the space inside no word; "é" is two bytes whose stand-ins are "Ã" and "©".
  EXPECT_THAT(*LearnBpeMerges({"\xc3\xa9"}, 5), ElementsAre(BpeMerge("\xc3\x83", "\xc2\xa9</w>")));
}

// Naive reference: recount every pair of every word occurrence each round; std::map order gives the tie-break.
std::vector<BpeMerge> NaiveLearn(const std::vector<std::string>& corpus, int64_t max_merges) {
  std::vector<std::vector<std::string>> words;
  for (const std::string& text : corpus) {
    for (const std::string& piece : PreTokenize(CleanText(text))) {
      std::vector<std::string> symbols;
      for (char c : piece) symbols.push_back(ByteToUnicode()[static_cast<uint8_t>(c)]);
      symbols.back() += "</w>";
      words.push_back(symbols);
    }
  }
  std::vector<BpeMerge> merges;
  while (static_cast<int64_t>(merges.size()) < max_merges) {
    std::map<BpeMerge, int64_t> counts;
    for (const auto& w : words) {
      for (size_t i = 0; i + 1 < w.size(); ++i) ++counts[{w[i], w[i + 1]}];
    }
    if (counts.empty()) break;
    auto best = counts.begin();
    for (auto it = counts.begin(); it != counts.end(); ++it) {
      if (it->second > best->second) best = it;
    }
    merges.push_back(best->first);
    for (auto& w : words) {
      std::vector<std::string> merged;
      for (size_t i = 0; i < w.size();) {
        if (i + 1 < w.size() && w[i] == best->first.first && w[i + 1] == best->first.second) {
          merged.push_back(w[i] + w[i + 1]);
          i += 2;
        } else {
          merged.push_back(w[i++]);
        }
      }
      w = merged;
    }
  }
  return merges;
}

TEST(LearnBpeMergesTest, MatchesNaiveReferenceLearner) {
  // Pseudo-random words over a 3-letter alphabet: many ties and repeated symbols ("aaa").
  std::vector<std::string> corpus;
  uint32_t state = 12345;
  for (int t = 0; t < 60; ++t) {
    std::string text;
    for (int w = 0; w < 5; ++w) {
      state = state * 1664525u + 1013904223u;
      const int length = 1 + static_cast<int>((state >> 24) % 7);
      for (int k = 0; k < length; ++k) {
        state = state * 1664525u + 1013904223u;
        text.push_back("abc"[(state >> 24) % 3]);
      }
      text += w % 2 ? ", " : " ";
    }
    corpus.push_back(text);
  }
  const std::vector<BpeMerge> expected = NaiveLearn(corpus, 1000);
  ASSERT_GT(expected.size(), 20u);
  absl::StatusOr<std::vector<BpeMerge>> merges = LearnBpeMerges(corpus, 1000);
  ASSERT_TRUE(merges.ok()) << merges.status();
  EXPECT_EQ(*merges, expected);
}

std::vector<std::string> SyntheticWorldCorpus() {
  const std::vector<std::string> colours = {"red", "green", "blue", "yellow", "purple", "orange", "cyan", "pink"};
  const std::vector<std::string> patterns = {"dotted", "striped", "checkered", "plain", "wavy", "zigzag"};
  const std::vector<std::string> shapes = {"object", "circle", "square", "triangle", "star"};
  std::vector<std::string> corpus;
  for (const std::string& c : colours) {
    for (const std::string& p : patterns) {
      for (const std::string& s : shapes) {
        corpus.push_back("a " + c + " " + p + " " + s + ".");
        corpus.push_back("A photo of the " + p + " " + c + " " + s + "!");
      }
    }
  }
  return corpus;
}

TEST(WriteMergesFileTest, SyntheticWorldWordsBecomeSingleTokens) {
  const std::vector<std::string> corpus = SyntheticWorldCorpus();
  const std::string path = TempPath("world_bpe.txt.gz");
  ASSERT_TRUE(WriteMergesFile(path, corpus, 10000).ok());
  EXPECT_EQ(ReadBytes(path).substr(0, 2), "\x1f\x8b");  // gzip magic

  BpeTokenizerOptions options;
  options.merges_path = path;
  absl::StatusOr<BpeTokenizer> tok = BpeTokenizer::Load(options);
  ASSERT_TRUE(tok.ok()) << tok.status();
  const int64_t merges = static_cast<int64_t>(LearnBpeMerges(corpus, 10000)->size());
  EXPECT_EQ(tok->num_merges(), merges);
  EXPECT_LT(merges, 10000);  // stopped because every word is one symbol
  EXPECT_EQ(tok->sot_id(), 512 + merges);
  EXPECT_EQ(tok->eot_id(), 513 + merges);
  EXPECT_EQ(tok->vocab_size(), 514 + merges);

  std::set<std::string> words;
  for (const std::string& text : corpus) {
    for (const std::string& piece : PreTokenize(CleanText(text))) words.insert(piece);
  }
  EXPECT_EQ(words.size(), 8u + 6u + 5u + 6u);  // colours, patterns, shapes, "a photo of the . !"
  for (const std::string& word : words) {
    absl::StatusOr<std::vector<int64_t>> ids = tok->Encode(word);
    ASSERT_TRUE(ids.ok()) << ids.status();
    ASSERT_EQ(ids->size(), 1u) << word;
    EXPECT_EQ(tok->token((*ids)[0]), word + "</w>");
  }
  absl::StatusOr<std::vector<int64_t>> caption = tok->Encode("a red dotted object.");
  ASSERT_TRUE(caption.ok());
  EXPECT_EQ(caption->size(), 5u);
  EXPECT_EQ(tok->Decode(*caption), "a red dotted object . ");
}

TEST(WriteMergesFileTest, PlainTextFormatAndAtomicWrite) {
  const std::string dir = TempPath("plain_merges_dir");
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  const std::string path = dir + "/merges.txt";
  ASSERT_TRUE(WriteMergesFile(path, {"AB ab", "ab cd"}, 100).ok());
  EXPECT_EQ(ReadBytes(path), "#version: 0.2\na b</w>\nc d</w>");  // no trailing newline
  // Rewriting replaces the file; no temporary file is left beside it.
  ASSERT_TRUE(WriteMergesFile(path, {"xy"}, 100).ok());
  EXPECT_EQ(ReadBytes(path), "#version: 0.2\nx y</w>");
  std::vector<std::string> entries;
  DIR* d = opendir(dir.c_str());
  ASSERT_NE(d, nullptr);
  while (dirent* e = readdir(d)) {
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") entries.push_back(e->d_name);
  }
  closedir(d);
  EXPECT_THAT(entries, ElementsAre("merges.txt"));
}

TEST(WriteMergesFileTest, Errors) {
  absl::Status bad_text = WriteMergesFile(TempPath("never.txt"), {"fine", "bad \xff"}, 10);
  EXPECT_EQ(bad_text.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_text.message(), HasSubstr("corpus text 1"));
  const std::string unwritable = TempPath("no_such_dir/merges.txt.gz");
  absl::Status no_dir = WriteMergesFile(unwritable, {"ab"}, 10);
  EXPECT_FALSE(no_dir.ok());
  EXPECT_THAT(no_dir.message(), HasSubstr(unwritable));
  EXPECT_FALSE(WriteMergesFile(TempPath("neg.txt"), {"ab"}, -1).ok());
}

}  // namespace
}  // namespace zegclip::clip
