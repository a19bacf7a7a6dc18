#include "zegclip/model/parameter_summary.h"

#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/testing/tiny_segmentor_options.h"

namespace zegclip::model {
namespace {

using ::zegclip::testing::TinySegmentorOptions;

// The paper's ViT-B/16 model at 512² (the authors' positional embedding holds 32² + 1 rows): DPT, RD, 3 decoder
// layers of width 512.
SegmentorOptions ViTB16(int64_t prompt_tokens) {
  SegmentorOptions o;
  o.clip = clip::ClipOptions::ViTB16();
  o.clip.image_resolution = 512;
  o.prompt.mode = clip::EncoderMode::kDeepPrompt;
  o.prompt.tokens = prompt_tokens;
  o.prompt.depth = 11;
  return o;
}

ParameterSummary Summarize(const SegmentorOptions& options) {
  ZegClipSegmentor model(options);
  clip::ApplyEncoderMode(*model->clip, options.prompt.mode);
  return SummarizeParameters(*model);
}

const ModuleParameterCount& Row(const ParameterSummary& s, const std::string& name) {
  for (const ModuleParameterCount& row : s.modules) {
    if (row.module == name) return row;
  }
  ADD_FAILURE() << "no row " << name;
  return s.modules.front();
}

// Hand counts at width 512 (w² = 262,144):
//   decoder layer: q, k, v, proj 4·(w² + w) = 1,050,624; linear1 w·4w + 4w = 1,050,624;
//                  linear2 4w·w + w = 1,049,088; norm2 + norm3 4w = 2,048            -> 3,152,384, × 3 = 9,457,152
//   rd.q_proj: 2w·w + w = 524,800
//   unused per authors' layer: in_proj 3w² + 3w = 787,968, out_proj w² + w = 262,656, norm1 2w = 1,024
//                              -> 1,051,648, × 3 = 3,154,944
//   prompts (width 768): n·768 + 11·n·768 + prompt_proj 768² + 768 = 590,592 + prompt_norm 1,536
constexpr int64_t kDecoder = 9'457'152;
constexpr int64_t kRd = 524'800;
constexpr int64_t kAuthorsUnused = 3'154'944;
int64_t Prompts(int64_t n) { return 12 * n * 768 + 590'592 + 1'536; }

// OpenAI's ViT-B/16 image tower at 512²: conv1 589,824 + class 768 + positional 1025·768 = 787,200 + ln_pre 1,536
// + 12 blocks × 7,087,872 + ln_post 1,536 + proj 393,216. Text tower + logit_scale = 149,620,737 (the whole CLIP
// at 224²) - 86,192,640 (its image tower at 224², positional 197·768).
constexpr int64_t kVisual512 = 589'824 + 768 + 787'200 + 1'536 + 12 * 7'087'872 + 1'536 + 393'216;
constexpr int64_t kText = 149'620'737 - 86'192'640;

TEST(ParameterSummary, VocViTB16MatchesTheAuthors13Point8M) {
  const ParameterSummary s = Summarize(ViTB16(10));
  ASSERT_EQ(s.modules.size(), 4u);
  EXPECT_EQ(Row(s, "clip.visual").total, kVisual512 + Prompts(10));
  EXPECT_EQ(Row(s, "clip.visual").learnable, Prompts(10));
  EXPECT_EQ(Row(s, "clip.text").total, kText);
  EXPECT_EQ(Row(s, "clip.text").learnable, 0);
  EXPECT_EQ(Row(s, "rd").total, kRd);
  EXPECT_EQ(Row(s, "rd").learnable, kRd);
  EXPECT_EQ(Row(s, "decoder").total, kDecoder);
  EXPECT_EQ(Row(s, "decoder").learnable, kDecoder);
  EXPECT_EQ(s.learnable, Prompts(10) + kRd + kDecoder);
  EXPECT_EQ(s.total, kVisual512 + kText + Prompts(10) + kRd + kDecoder);
  EXPECT_EQ(s.authors_unused, kAuthorsUnused);
  EXPECT_EQ(s.authors_learnable, 13'821'184);
  const std::string table = FormatParameterSummary(s);
  EXPECT_NE(table.find("13,821,184 (13.82 M)"), std::string::npos) << table;
  EXPECT_NE(table.find("decoder"), std::string::npos) << table;
  EXPECT_NE(table.find("9,457,152"), std::string::npos) << table;
  // The text tower is all frozen: its row repeats the total in the frozen column, after a learnable 0.
  static_assert(kText == 63'428'097);
  EXPECT_NE(table.find(absl::StrFormat("%15s %15s %15s", "63,428,097", "0", "63,428,097")), std::string::npos) << table;
}

TEST(ParameterSummary, CocoViTB16MatchesTheAuthors14Point6M) {
  const ParameterSummary s = Summarize(ViTB16(100));
  EXPECT_EQ(Row(s, "clip.visual").learnable, Prompts(100));
  EXPECT_EQ(s.authors_learnable, 14'650'624);
  EXPECT_NE(FormatParameterSummary(s).find("14,650,624 (14.65 M)"), std::string::npos);
}

TEST(ParameterSummary, LearnableFollowsTheEncoderModeAndRowsTheQueryKind) {
  // Image tower at width 16, patch 8, grid 2x2: conv1 3·8·8·16 = 3,072; class 16; positional 5·16 = 80; ln_pre 32;
  // 2 blocks × (in_proj 3·256 + 48 = 816, out_proj 272, ln_1 32, c_fc 16·64 + 64 = 1,088, c_proj 64·16 + 16 = 1,040,
  // ln_2 32 -> 3,280); ln_post 32; proj 16·8 = 128.
  const int64_t visual = 3'072 + 16 + 80 + 32 + 2 * 3'280 + 32 + 128;
  const ParameterSummary frozen = Summarize(TinySegmentorOptions(clip::EncoderMode::kFrozen, /*rd=*/false));
  ASSERT_EQ(frozen.modules.size(), 3u);  // no rd row
  EXPECT_EQ(Row(frozen, "clip.visual").total, visual);
  EXPECT_EQ(Row(frozen, "clip.visual").learnable, 0);
  // Decoder width 8, 2 layers: 4·72 + (8·32 + 32) + (32·8 + 8) + 32 = 872 per layer.
  EXPECT_EQ(Row(frozen, "decoder").learnable, 2 * 872);
  EXPECT_EQ(frozen.learnable, 2 * 872);
  // Unused per authors' layer at width 8: 3·64 + 24 + 64 + 8 + 16 = 304.
  EXPECT_EQ(frozen.authors_unused, 2 * 304);

  const ParameterSummary finetune = Summarize(TinySegmentorOptions(clip::EncoderMode::kFinetune, /*rd=*/true));
  EXPECT_EQ(Row(finetune, "clip.visual").learnable, visual);
  EXPECT_EQ(Row(finetune, "rd").learnable, 16 * 8 + 8);
  EXPECT_EQ(finetune.learnable, visual + 136 + 2 * 872);
  EXPECT_EQ(Row(finetune, "clip.text").learnable, 0);
  EXPECT_EQ(Row(finetune, "clip.text").total, Row(frozen, "clip.text").total);

  // Shallow prompts: prompt_embeddings 2·16 + prompt_proj 16·16 + 16 (no deep prompts, no prompt_norm).
  const ParameterSummary shallow = Summarize(TinySegmentorOptions(clip::EncoderMode::kShallowPrompt, /*rd=*/true));
  EXPECT_EQ(Row(shallow, "clip.visual").learnable, 32 + 272);
  EXPECT_EQ(Row(shallow, "clip.visual").total, visual + 32 + 272);
}

}  // namespace
}  // namespace zegclip::model
