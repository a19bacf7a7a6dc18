// Tests for the CLIP BPE tokenizer: ids, decodes and tokenize() rows against golden values produced by running
// OpenAI's clip/simple_tokenizer.py (github.com/openai/CLIP, ftfy.fix_text stubbed to the identity, which is the
// documented deviation) on the vendored bpe_simple_vocab_16e6.txt.gz, plus Python's html.unescape.
#include "zegclip/clip/bpe_tokenizer.h"

#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "zegclip/clip/text_cleaning.h"
#include "zegclip/testing/temp_path.h"

namespace zegclip::clip {
namespace {

using ::zegclip::testing::TempPath;

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr char kOpenAiVocab[] = "third_party/clip/bpe_simple_vocab_16e6.txt.gz";

void WriteText(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

void WriteGzip(const std::string& path, const std::string& content) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << path;
  ASSERT_EQ(gzwrite(file, content.data(), static_cast<unsigned>(content.size())), static_cast<int>(content.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

absl::StatusOr<BpeTokenizer> LoadFile(const std::string& path, int64_t max_merges = 48894) {
  BpeTokenizerOptions options;
  options.merges_path = path;
  options.max_merges = max_merges;
  return BpeTokenizer::Load(options);
}

class OpenAiTokenizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<BpeTokenizer> loaded = LoadFile(kOpenAiVocab);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    tokenizer_ = new BpeTokenizer(*std::move(loaded));
  }
  static void TearDownTestSuite() {
    delete tokenizer_;
    tokenizer_ = nullptr;
  }
  static const BpeTokenizer& tok() { return *tokenizer_; }
  static BpeTokenizer* tokenizer_;
};
BpeTokenizer* OpenAiTokenizerTest::tokenizer_ = nullptr;

TEST_F(OpenAiTokenizerTest, VocabularyLayoutMatchesOpenAi) {
  EXPECT_EQ(tok().vocab_size(), 49408);
  EXPECT_EQ(tok().num_merges(), 48894);
  EXPECT_EQ(tok().sot_id(), 49406);
  EXPECT_EQ(tok().eot_id(), 49407);
  EXPECT_EQ(tok().token(0), "!");
  EXPECT_EQ(tok().token(255), "\xc5\x83");        // U+0143, the stand-in of byte 0xAD
  EXPECT_EQ(tok().token(511), "\xc5\x83</w>");
  EXPECT_EQ(tok().token(512), "in");              // the first merge, "i n"
  EXPECT_EQ(tok().token(49405), "jekyll</w>");    // the last merge used
  EXPECT_EQ(tok().token(49406), "<|startoftext|>");
  EXPECT_EQ(tok().token(49408), "");
}

TEST(ByteTablesTest, MatchBytesToUnicode) {
  const auto& order = ByteVocabularyOrder();
  EXPECT_EQ(order[0], '!');
  EXPECT_EQ(order[93], '~');
  EXPECT_EQ(order[94], 0xA1);
  EXPECT_EQ(order[188], 0x00);  // first of the 68 remapped bytes
  EXPECT_EQ(order[255], 0xAD);
  const auto& stand_in = ByteToUnicode();
  EXPECT_EQ(stand_in['a'], "a");
  EXPECT_EQ(stand_in[0x00], "\xc4\x80");  // U+0100
  EXPECT_EQ(stand_in[' '], "\xc4\xa0");   // U+0120 "Ġ", as in GPT-2/CLIP vocabularies
  EXPECT_EQ(stand_in[0xFF], "\xc3\xbf");
}

struct GoldenCase {
  const char* name;
  std::string text;
  std::vector<int64_t> ids;
  std::string decoded;
};

// {name, text, OpenAI ids, OpenAI decode(ids)}
const std::vector<GoldenCase>& GoldenCases() {
  static const auto* cases = new std::vector<GoldenCase>{
    {"plain", "a photo of a cat.",
     {320, 1125, 539, 320, 2368, 269},
     "a photo of a cat . "},
    {"punctuation", "Hello, world!!! ...\x3f! (yes) -- no;",
     {3306, 267, 1002, 995, 3002, 2835, 263, 1958, 264, 2432, 871, 282},
     "hello , world !!! ...\x3f! ( yes ) -- no ; "},
    {"contractions", "it's we'll they're I've I'm you'd don't IT'S",
     {585, 568, 649, 1342, 889, 982, 328, 1200, 328, 880, 592, 1896, 847, 713, 585, 568},
     "it 's we 'll they 're i 've i 'm you 'd don 't it 's "},
    {"digits", "in 2023 there were 10,000 cats",
     {530, 273, 271, 273, 274, 997, 1365, 272, 271, 267, 271, 271, 271, 3989},
     "in 2 0 2 3 there were 1 0 , 0 0 0 cats "},
    {"accents", "caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9 \xc3\x86r\xc3\xb8sk\xc3\xb8" "bing",
     {15304, 1097, 35689, 563, 29106, 7054, 4166, 42495, 81, 17483, 909, 17483, 5665},
     "caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9 \xc3\xa6r\xc3\xb8sk\xc3\xb8" "bing "},
    {"decomposed", "cafe\xcc\x81",
     {4979, 136, 479},
     "cafe \xcc\x81 "},
    {"cjk", "\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf\xe3\x83\xbc\xe3\x81\xa8\xe7\x8c\xab",
     {48338, 21078, 105, 34941, 2429, 107, 13457, 34671, 163, 234, 360},
     "\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf\xe3\x83\xbc\xe3\x81\xa8\xe7\x8c\xab "},
    {"emoji", "I love \xf0\x9f\x90\xb1 and \xf0\x9f\x9a\x80\xf0\x9f\x9a\x80!",
     {328, 793, 22979, 537, 49033, 256},
     "i love \xf0\x9f\x90\xb1 and \xf0\x9f\x9a\x80\xf0\x9f\x9a\x80! "},
    {"html",
     "a &amp; b &lt;tag&gt; &quot;q&quot; &#39;x&#39; &#233; &#xE9; &amp;amp; &copy; &nbsp;x &ampfoo; &#128; "
     "&hellip; &apos; &bogus; &#0; &#xD800; &#1;z &#99999999999999999999;",
     {320, 261, 321, 283, 3640, 285, 257, 336, 257, 262, 343, 262, 4166, 4166, 261, 5811, 343, 261, 23435, 282, 6309,
      959, 262, 261, 42907, 282, 39802, 39802, 345, 39802},
     "a & b < tag > \x22 q \x22 ' x ' \xc3\xa9 \xc3\xa9 & \xc2\xa9 x & foo ; \xe2\x82\xac \xe2\x80\xa6 ' & bogus ; "
     "\xef\xbf\xbd \xef\xbf\xbd z \xef\xbf\xbd "},
    {"whitespace", "   lots   of\x09\x09whitespace \x0a here \xe3\x80\x80\xc2\xa0" "end  ",
     {2958, 539, 4699, 2138, 763, 806},
     "lots of whitespace here end "},
    {"isspace_not_regex_space", "\x1c" "a\x1c" "b\x1c",
     {320, 472, 321},
     "a \x1c b "},
    {"uppercase", "A PHOTO OF A DOG",
     {320, 1125, 539, 320, 1929},
     "a photo of a dog "},
    {"empty", "",
     {},
     ""},
    {"only_spaces", " \x09\x0a ",
     {},
     ""},
    {"greek_turkish", "\xce\xa3\xce\x91\xce\xa3 \xce\x9f\xce\x94\xce\x9f\xce\xa3 \xc4\xb0stanbul",
     {139, 225, 138, 109, 139, 480, 138, 123, 138, 112, 138, 123, 139, 480, 328, 16384, 11231},
     "\xcf\x83\xce\xb1\xcf\x82 \xce\xbf\xce\xb4\xce\xbf\xcf\x82 i \xcc\x87 stanbul "},
    {"specials", "<|startoftext|>hello<|endoftext|> <|\xc5\xbftartoftext|>",
     {49406, 3306, 49407, 27, 91, 129, 123, 2002, 6659, 18169, 91, 285},
     "<|startoftext|>hello <|endoftext|><|\xc5\xbftartoftext|> "},
    {"synthetic", "a red dotted object.",
     {320, 736, 47950, 14115, 269},
     "a red dotted object . "},
    {"long_words", "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
     {3120, 4262, 7726, 12658, 1585, 44351, 28714, 749, 20253, 9800, 535, 532, 1065, 901, 1556, 13697, 9916, 78, 39031,
      13903},
     "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis "},
    {"ypogegrammeni", "x'\xcd\x85s a\xcd\x85" "b",
     {343, 262, 338, 320, 321},
     "x ' s a b "},
    {"controls", std::string("a\x00" "b\x7f" "c", 5),
     {320, 444, 321, 477, 322},
     std::string("a \x00 b \x7f c ", 10)},
    {"curly_quote", "it\xe2\x80\x99s",
     {585, 728, 503, 338},
     "it \xe2\x80\x99 s "},
    {"long_s", "it'\xc5\xbf",
     {585, 6, 129, 379},
     "it '\xc5\xbf "},
  };
  return *cases;
}

TEST_F(OpenAiTokenizerTest, EncodeAndDecodeMatchOpenAi) {
  for (const GoldenCase& c : GoldenCases()) {
    absl::StatusOr<std::vector<int64_t>> ids = tok().Encode(c.text);
    ASSERT_TRUE(ids.ok()) << c.name << ": " << ids.status();
    EXPECT_THAT(*ids, ElementsAreArray(c.ids)) << c.name;
    EXPECT_EQ(tok().Decode(*ids), c.decoded) << c.name;
  }
}

TEST_F(OpenAiTokenizerTest, EncodeIsStableAcrossCacheHits) {
  for (int round = 0; round < 3; ++round) {
    for (const GoldenCase& c : GoldenCases()) EXPECT_THAT(*tok().Encode(c.text), ElementsAreArray(c.ids)) << c.name;
  }
}

TEST_F(OpenAiTokenizerTest, TokenizePadsWithZeros) {
  absl::StatusOr<at::Tensor> rows = tok().Tokenize({"a photo of a cat.", ""}, 77);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->scalar_type(), at::kLong);
  ASSERT_EQ(rows->sizes(), (std::vector<int64_t>{2, 77}));
  std::vector<int64_t> first(rows->data_ptr<int64_t>(), rows->data_ptr<int64_t>() + 77);
  std::vector<int64_t> expected = {49406, 320, 1125, 539, 320, 2368, 269, 49407};
  expected.resize(77, 0);
  EXPECT_EQ(first, expected);
  std::vector<int64_t> second(rows->data_ptr<int64_t>() + 77, rows->data_ptr<int64_t>() + 154);
  expected.assign(77, 0);
  expected[0] = 49406;
  expected[1] = 49407;
  EXPECT_EQ(second, expected);
}

std::string Repeat(const std::string& word, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? " " : "") + word;
  return out;
}

TEST_F(OpenAiTokenizerTest, TextOfExactlyContextLengthFits) {
  const std::string text = Repeat("a", 75);  // 75 ids + sot + eot = 77
  absl::StatusOr<at::Tensor> rows = tok().Tokenize({text}, 77);
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::vector<int64_t> expected(77, 320);
  expected.front() = 49406;
  expected.back() = 49407;
  EXPECT_EQ(std::vector<int64_t>(rows->data_ptr<int64_t>(), rows->data_ptr<int64_t>() + 77), expected);
}

TEST_F(OpenAiTokenizerTest, OverflowIsAnErrorNamingTheText) {
  const std::string text = Repeat("a", 40) + " " + Repeat("b", 40);  // 80 ids
  absl::StatusOr<at::Tensor> rows = tok().Tokenize({"fine", text}, 77);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(rows.status().message(), HasSubstr("Input \"a a a a"));
  EXPECT_THAT(rows.status().message(), HasSubstr("too long for context length 77"));
  EXPECT_THAT(rows.status().message(), HasSubstr("82 tokens"));
  EXPECT_THAT(rows.status().message(), HasSubstr("text 1"));
}

TEST_F(OpenAiTokenizerTest, TruncateKeepsEotLastLikeOpenAi) {
  const std::string text = Repeat("a", 40) + " " + Repeat("b", 40);
  absl::StatusOr<at::Tensor> rows = tok().Tokenize({text}, 77, /*truncate=*/true);
  ASSERT_TRUE(rows.ok()) << rows.status();
  // clip.tokenize(text, truncate=True): sot, 40 x "a", 35 x "b", eot.
  std::vector<int64_t> expected = {49406};
  expected.insert(expected.end(), 40, 320);
  expected.insert(expected.end(), 35, 321);
  expected.push_back(49407);
  EXPECT_EQ(std::vector<int64_t>(rows->data_ptr<int64_t>(), rows->data_ptr<int64_t>() + 77), expected);
}

TEST_F(OpenAiTokenizerTest, ShortContextLengths) {
  absl::StatusOr<at::Tensor> two = tok().Tokenize({"a photo"}, 2, /*truncate=*/true);
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ((*two)[0][0].item<int64_t>(), 49406);
  EXPECT_EQ((*two)[0][1].item<int64_t>(), 49407);
  EXPECT_FALSE(tok().Tokenize({"a"}, 1).ok());
  absl::StatusOr<at::Tensor> none = tok().Tokenize({}, 77);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->sizes(), (std::vector<int64_t>{0, 77}));
}

// A context length that would allocate gigabytes of ids is refused before anything is allocated.
TEST_F(OpenAiTokenizerTest, ContextLengthIsBounded) {
  EXPECT_TRUE(tok().Tokenize({"a"}, kMaxContextLength).ok());
  absl::StatusOr<at::Tensor> huge = tok().Tokenize({"a"}, 2000000000);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().message(), "context_length 2000000000 is above the limit of 1024 (OpenAI's CLIP: 77)");
}

TEST_F(OpenAiTokenizerTest, InvalidUtf8IsAnError) {
  for (const std::string& bad : {std::string("abc\xff"), std::string("\xe2\x82"), std::string("\xed\xa0\x80"),
                                 std::string("\xc0\xaf"), std::string("\xf4\x90\x80\x80"), std::string("ok \x80")}) {
    absl::StatusOr<std::vector<int64_t>> ids = tok().Encode(bad);
    ASSERT_FALSE(ids.ok()) << bad;
    EXPECT_EQ(ids.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ids.status().message(), HasSubstr("not valid UTF-8"));
  }
  EXPECT_THAT(tok().Encode("abc\xff").status().message(), HasSubstr("byte offset 3 (byte 0xFF)"));
  absl::StatusOr<at::Tensor> rows = tok().Tokenize({"fine", "bad \xc3"}, 77);
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.status().message(), HasSubstr("text 1"));
}

TEST_F(OpenAiTokenizerTest, DecodeReplacesInvalidUtf8LikePython) {
  // {byte-token ids, bytes(...).decode('utf-8', errors='replace') as OpenAI's decode returns it}
  const std::vector<std::pair<std::vector<int64_t>, std::string>> cases = {
      {{78, 74, 187}, "ok\xef\xbf\xbd"},
      {{158, 224}, "\xef\xbf\xbd"},
      {{158, 224, 105}, "\xe2\x82\xac"},
      {{158, 32}, "\xef\xbf\xbd" "A"},
      {{172, 253, 246}, "\xef\xbf\xbd"},
      {{172, 253, 246, 87}, "\xef\xbf\xbdx"},
      {{124, 107}, "\xef\xbf\xbd\xef\xbf\xbd"},
      {{169, 254, 222}, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {{176, 238, 222, 222}, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {{222, 222, 64}, "\xef\xbf\xbd\xef\xbf\xbd" "a"},
      {{172, 253, 246, 222}, "\xf0\x9f\x98\x80"},
  };
  for (const auto& [ids, expected] : cases) EXPECT_EQ(tok().Decode(ids), expected);
  EXPECT_EQ(tok().Decode({320, -1, 49408}), "a \xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(tok().Decode({}), "");
}

TEST(HtmlUnescapeTest, MatchesPythonHtmlUnescape) {
  // {input, html.unescape(input)} from CPython 3.11.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"&amp;amp;", "&amp;"},
      {"&ampx", "&x"},
      {"&#x41;&#65", "AA"},
      {"&lt", "<"},
      {"&notit;", "\xc2\xacit;"},
      {"&#;", "&#;"},
      {"&#x;", "&#x;"},
      {"&", "&"},
      {"&&amp;", "&&"},
      {"&#128;", "\xe2\x82\xac"},
      {"&#1;", ""},
      {"&#13;", "\x0d"},
      {"&#xFFFE;", ""},
      {"&#xfdd0;", ""},
      {"&eacute;t&eacute", "\xc3\xa9t\xc3\xa9"},
      {"&Eacute;", "\xc3\x89"},
      {"&aacute", "\xc3\xa1"},
      {"&alpha;&alpha", "\xce\xb1&alpha"},
      {"&rang;", "\xe2\x9f\xa9"},
      {"a&gt;b&gt c", "a>b> c"},
      {"&caf\xc3\xa9;", "&caf\xc3\xa9;"},
      {"&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;", "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;"},
      {"&gtaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;", ">aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;"},
      {"&apos;&AMP;&QUOT", "'&\x22"},
      {"&#0000000000000000065;", "A"},
  };
  for (const auto& [input, expected] : cases) EXPECT_EQ(HtmlUnescape(input), expected) << input;
  // Documented deviation: HTML5-only names are not known (Python gives "\n").
  EXPECT_EQ(HtmlUnescape("&NewLine;"), "&NewLine;");
}

TEST(CleanTextTest, UnescapesTwiceCollapsesWhitespaceAndLowerCases) {
  EXPECT_EQ(CleanText("  A &amp;amp; B\t\n C  "), "a & b c");
  EXPECT_EQ(CleanText("\xce\xa3\xce\x91\xce\xa3"), "\xcf\x83\xce\xb1\xcf\x82");  // final sigma
  EXPECT_EQ(CleanText(""), "");
}

TEST(PreTokenizeTest, SplitsLikeOpenAiPattern) {
  EXPECT_THAT(PreTokenize("it's a test!! 42"), ElementsAre("it", "'s", "a", "test", "!!", "4", "2"));
  EXPECT_THAT(PreTokenize("<|endoftext|>x"), ElementsAre("<|endoftext|>", "x"));
  EXPECT_THAT(PreTokenize("caf\xc3\xa9!?"), ElementsAre("caf\xc3\xa9", "!?"));
  EXPECT_THAT(PreTokenize(""), ElementsAre());
}

// A handmade vocabulary with 13 merges (no trailing newline), checked against OpenAI's SimpleTokenizer loading the
// same file: the small-vocabulary path of bpe_learner.h outputs.
constexpr char kSmallMerges[] =
    "#version: 0.2\nr e\nre d</w>\nd o\ndo t\ndot t\ndott e\ndotte d</w>\no b\nob j\ne c\nec t</w>\nobj ect</w>\n"
    "dot s</w>";

void ExpectSmallVocabulary(const BpeTokenizer& tok) {
  EXPECT_EQ(tok.num_merges(), 13);
  EXPECT_EQ(tok.vocab_size(), 527);
  EXPECT_EQ(tok.sot_id(), 525);
  EXPECT_EQ(tok.eot_id(), 526);
  EXPECT_THAT(*tok.Encode("a red dotted object."), ElementsAre(320, 513, 518, 523, 269));
  EXPECT_THAT(*tok.Encode("redder dots!"), ElementsAre(512, 67, 67, 68, 337, 524, 256));
  EXPECT_THAT(*tok.Encode("Dotted RED"), ElementsAre(518, 513));
  EXPECT_THAT(*tok.Encode("objects"), ElementsAre(520, 521, 83, 338));
  EXPECT_EQ(tok.Decode(*tok.Encode("redder dots!")), "redder dots ! ");
}

TEST(SmallVocabularyTest, GzipAndPlainTextFilesGiveOpenAiIds) {
  const std::string gz = TempPath("small_merges.txt.gz");
  const std::string txt = TempPath("small_merges.txt");
  WriteGzip(gz, kSmallMerges);
  WriteText(txt, kSmallMerges);
  for (const std::string& path : {gz, txt}) {
    absl::StatusOr<BpeTokenizer> tok = LoadFile(path);
    ASSERT_TRUE(tok.ok()) << tok.status();
    ExpectSmallVocabulary(*tok);
  }
  // Trailing blank lines are ignored (documented deviation: Python would add an empty token per line).
  WriteText(txt, std::string(kSmallMerges) + "\n\n");
  absl::StatusOr<BpeTokenizer> tok = LoadFile(txt);
  ASSERT_TRUE(tok.ok()) << tok.status();
  ExpectSmallVocabulary(*tok);
}

TEST(SmallVocabularyTest, MaxMergesKeepsOnlyTheFirstMerges) {
  // OpenAI's SimpleTokenizer on a file holding only the first 1000 merges of bpe_simple_vocab_16e6.
  absl::StatusOr<BpeTokenizer> tok = LoadFile(kOpenAiVocab, /*max_merges=*/1000);
  ASSERT_TRUE(tok.ok()) << tok.status();
  EXPECT_EQ(tok->vocab_size(), 1514);
  EXPECT_EQ(tok->sot_id(), 1512);
  EXPECT_THAT(*tok->Encode("a photo of a cat."), ElementsAre(320, 1125, 539, 320, 66, 536, 269));
  EXPECT_THAT(*tok->Encode("antidisestablishmentarianism"),
              ElementsAre(514, 555, 570, 567, 522, 596, 554, 552, 76, 724, 1221, 514, 595, 332));
  absl::StatusOr<BpeTokenizer> none = LoadFile(kOpenAiVocab, /*max_merges=*/0);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->vocab_size(), 514);
  EXPECT_THAT(*none->Encode("ab"), ElementsAre(64, 321));  // "a", "b</w>"
}

TEST(LoadErrorsTest, NameTheFileAndTheProblem) {
  absl::StatusOr<BpeTokenizer> missing = LoadFile(TempPath("no_such_merges.txt.gz"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("no_such_merges.txt.gz"));

  // A gzip stream cut in half.
  const std::string whole = TempPath("whole.txt.gz");
  WriteGzip(whole, std::string(kSmallMerges) + std::string(5000, '\n'));
  const std::string bytes = ReadBytes(whole);
  const std::string truncated = TempPath("truncated.txt.gz");
  WriteText(truncated, bytes.substr(0, bytes.size() / 2));
  absl::StatusOr<BpeTokenizer> corrupt = LoadFile(truncated);
  EXPECT_EQ(corrupt.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(corrupt.status().message(), HasSubstr("truncated.txt.gz"));

  const std::vector<std::pair<std::string, std::string>> bad_files = {
      {"", "is empty"},
      {"#version: 0.2\nr e\nr e x\n", "line 3: expected two space-separated symbols"},
      {"#version: 0.2\nr e\n\nd o\n", "line 3: expected two"},
      {"#version: 0.2\nr e\nq </w>\n", "line 3: symbol '</w>' of merge 'q </w>' is not a vocabulary token"},
      {"#version: 0.2\nr \xff\n", "not valid UTF-8"},
  };
  for (const auto& [content, expected] : bad_files) {
    const std::string path = TempPath("bad_merges.txt");
    WriteText(path, content);
    absl::StatusOr<BpeTokenizer> tok = LoadFile(path);
    ASSERT_FALSE(tok.ok()) << content;
    EXPECT_EQ(tok.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(tok.status().message(), HasSubstr(expected));
    EXPECT_THAT(tok.status().message(), HasSubstr("bad_merges.txt"));
  }
  EXPECT_FALSE(LoadFile(kOpenAiVocab, -1).ok());
}

std::vector<std::string> Captions(int n) {
  const std::vector<std::string> colours = {"red", "green", "blue", "yellow", "purple", "orange", "black", "white"};
  const std::vector<std::string> patterns = {"dotted", "striped", "checkered", "plain", "wavy"};
  const std::vector<std::string> shapes = {"circle", "square", "triangle", "star", "object"};
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back("a photo of a " + colours[i % 8] + " " + patterns[(i / 8) % 5] + " " + shapes[(i / 40) % 5] +
                  " number " + std::to_string(i) + ".");
  }
  return out;
}

TEST_F(OpenAiTokenizerTest, ConcurrentEncodesAgree) {
  const std::vector<std::string> captions = Captions(400);
  const BpeTokenizer fresh = *LoadFile(kOpenAiVocab);  // its own, empty cache
  std::vector<std::vector<int64_t>> expected;
  for (const std::string& c : captions) expected.push_back(*tok().Encode(c));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < captions.size(); ++i) {
        const size_t k = (i * 7 + t * 101) % captions.size();
        if (*fresh.Encode(captions[k]) != expected[k]) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(mismatches, ElementsAre(0, 0, 0, 0));
}

TEST_F(OpenAiTokenizerTest, TenThousandCaptionsTokenizeQuickly) {
  const std::vector<std::string> captions = Captions(10000);
  const BpeTokenizer fresh = *LoadFile(kOpenAiVocab);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<at::Tensor> rows = fresh.Tokenize(captions, 77);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->sizes(), (std::vector<int64_t>{10000, 77}));
  std::printf("tokenized 10000 captions in %.3f s\n", seconds);
  // Generous bound for a loaded 2-core machine; a cache-less or quadratic tokenizer would far exceed it.
  EXPECT_LT(seconds, 2.0);
}

}  // namespace
}  // namespace zegclip::clip
