#include "zegclip/model/authors_key_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zegclip::model {
namespace {

// Their key -> our name, and the way back, for one key per rule.
TEST(AuthorsKeyRules, EveryRuleReadsBothWays) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"backbone.transformer.resblocks.3.mlp.c_fc.weight", "clip.visual.transformer.resblocks.3.mlp.c_fc.weight"},
      {"backbone.deep_prompt_embeddings", "clip.visual.deep_prompt_embeddings"},
      {"backbone.prompt_norm.weight", "clip.visual.prompt_norm.weight"},
      {"text_encoder.transformer.resblocks.0.attn.in_proj_weight", "clip.transformer.resblocks.0.attn.in_proj_weight"},
      {"text_encoder.token_embedding.weight", "clip.token_embedding.weight"},
      {"text_encoder.ln_final.bias", "clip.ln_final.bias"},
      {"text_encoder.positional_embedding", "clip.positional_embedding"},
      {"text_encoder.text_projection", "clip.text_projection"},
      {"decode_head.q_proj.bias", "rd.q_proj.bias"},
      {"decode_head.input_proj_1.weight", "decoder.input_proj.weight"},
      {"decode_head.proj_norm_1.bias", "decoder.proj_norm.bias"},
      {"decode_head.decoder_1.layers.2.multihead_attn.proj.weight", "decoder.layers.2.multihead_attn.proj.weight"},
      {"decode_head.decoder_1.layers.0.norm3.bias", "decoder.layers.0.norm3.bias"},
      {"decode_head.decoder_1.layers.11.linear1.weight", "decoder.layers.11.linear1.weight"},
  };
  for (const auto& [theirs, ours] : pairs) {
    EXPECT_EQ(OurNameForAuthorsKey(theirs), ours) << theirs;
    EXPECT_EQ(AuthorsKeyForOurName(ours), theirs) << ours;
  }
}

TEST(AuthorsKeyRules, KeysOfOneSideOnly) {
  for (const char* key : {"decode_head.decoder_1.layers.1.self_attn.in_proj_weight",
                          "decode_head.decoder_1.layers.1.self_attn.out_proj.bias",
                          "decode_head.decoder_1.layers.1.norm1.weight",
                          "decode_head.loss_decode.criterion.empty_weight"}) {
    EXPECT_EQ(OurNameForAuthorsKey(key), "") << key;
  }
  EXPECT_EQ(AuthorsKeyForOurName("clip.logit_scale"), "");
}

TEST(AuthorsKeyRules, UnknownNamesAreNullopt) {
  for (const char* key : {"decode_head.decoder_2.layers.0.linear1.weight", "decode_head.conv_seg.weight",
                          "decode_head.decoder_1.layers.x.linear1.weight", "decode_head.decoder_1.layers.-1.linear1.weight",
                          "text_encoder.visual.proj", "neck.fc.weight", "backbone.",
                          "decode_head.decoder_1.layers.0.multihead_attn.in_proj_weight",
                          "decode_head.decoder_1.layers.0.linear1.", "decode_head.q_proj.weight.extra",
                          "text_encoder.text_projection.weight"}) {
    EXPECT_EQ(OurNameForAuthorsKey(key), std::nullopt) << key;
  }
  for (const char* name : {"rd.other.weight", "decoder.layers.0.self_attn.in_proj_weight", "clip.logit_scale.x",
                           "heads.0.weight", "clip.visual."}) {
    EXPECT_EQ(AuthorsKeyForOurName(name), std::nullopt) << name;
  }
}

TEST(AuthorsKeyRules, AuthorsOnlyTensorsHaveTheirModulesShapesAndValues) {
  const base::TensorMap t = AuthorsOnlyTensors(/*decoder_layers=*/2, /*decoder_width=*/8, /*loss_classes=*/15,
                                         /*shallow_prompt_width=*/0);
  ASSERT_EQ(t.size(), 2u * 6 + 1);
  const std::string layer = "decode_head.decoder_1.layers.1.";
  EXPECT_EQ(t.at(layer + "self_attn.in_proj_weight").sizes(), (std::vector<int64_t>{24, 8}));
  EXPECT_EQ(t.at(layer + "self_attn.in_proj_bias").sizes(), (std::vector<int64_t>{24}));
  EXPECT_EQ(t.at(layer + "self_attn.out_proj.weight").sizes(), (std::vector<int64_t>{8, 8}));
  EXPECT_EQ(t.at(layer + "self_attn.in_proj_weight").abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(at::equal(t.at(layer + "norm1.weight"), at::ones({8})));
  EXPECT_TRUE(at::equal(t.at(layer + "norm1.bias"), at::zeros({8})));
  // SegPlusCriterion: empty_weight = ones(num_classes + 1); empty_weight[-1] = eos_coef (0.1).
  const at::Tensor w = t.at(kAuthorsEmptyWeight);
  ASSERT_EQ(w.numel(), 16);
  EXPECT_EQ(w.slice(0, 0, 15).sum().item<double>(), 15.0);
  EXPECT_FLOAT_EQ(w[15].item<float>(), 0.1f);
  for (const auto& [key, tensor] : t) EXPECT_EQ(OurNameForAuthorsKey(key), "") << key;

  const base::TensorMap shallow = AuthorsOnlyTensors(1, 8, 20, /*shallow_prompt_width=*/16);
  EXPECT_EQ(shallow.size(), 6u + 1 + 2);
  EXPECT_TRUE(at::equal(shallow.at("backbone.prompt_norm.weight"), at::ones({16})));
  EXPECT_EQ(shallow.at(kAuthorsEmptyWeight).numel(), 21);
}

}  // namespace
}  // namespace zegclip::model
