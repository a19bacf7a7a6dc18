#include "zegclip/model/authors_checkpoint.h"

#include <gtest/gtest.h>
#include <torch/serialize.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "zegclip/clip/residual_attention_block.h"
#include "zegclip/heads/text_query_decoder.h"
#include "zegclip/model/tensor_archive.h"

namespace zegclip::model {
namespace {

// Written by tools/make_fake_authors_checkpoint.py + tools/convert_zegclip_checkpoint.py (Python torch.save): the
// authors' key names at a toy size; tensor i in sorted key order holds i + 0.001·[0, 1, ...].
constexpr char kFixture[] = "zegclip/model/testdata/authors_tiny.tensors";

TensorMap Fixture() {
  absl::StatusOr<TensorMap> state = ReadTensorArchive(kFixture);
  EXPECT_TRUE(state.ok()) << state.status();
  return state.ok() ? *state : TensorMap{};
}

SegmentorOptions Base() {
  SegmentorOptions o;
  o.clip.vision_heads = 2;
  o.clip.text_heads = 2;
  o.decoder.heads = 2;
  return o;
}

SegmentorOptions FromFixture(const TensorMap& state) {
  absl::StatusOr<SegmentorOptions> o = SegmentorOptionsFromAuthors(state, Base());
  EXPECT_TRUE(o.ok()) << o.status();
  return o.ok() ? *o : Base();
}

// The sorted index of the fixture tensor a parameter was copied from (its first value is that index).
int64_t SourceIndex(const at::Tensor& t) { return std::llround(t.flatten()[0].item<double>()); }

TEST(TensorArchive, ReadsWhatPythonsTorchSaveWroteExactly) {
  const TensorMap state = Fixture();
  ASSERT_EQ(state.size(), 102u);
  int64_t i = 0;
  for (const auto& [name, tensor] : state) {
    ASSERT_EQ(tensor.scalar_type(), at::kFloat) << name;
    // Computed as Python did: float32 arange · 0.001, plus i.
    const at::Tensor expected = at::arange(tensor.numel(), at::kLong) * 0.001 + i;
    EXPECT_TRUE(at::equal(tensor.flatten(), expected)) << name;
    ++i;
  }
  EXPECT_EQ(state.at("backbone.conv1.weight").sizes(), (std::vector<int64_t>{16, 3, 8, 8}));
}

TEST(TensorArchive, RoundTripAndErrorsNameTheFile) {
  const std::string dir = testing::TempDir();
  TensorMap tensors{{"a.b", at::arange(6, at::kFloat).reshape({2, 3})}, {"c", at::ones({1}, at::kHalf)}};
  ASSERT_TRUE(WriteTensorArchive(tensors, dir + "/t.tensors").ok());
  absl::StatusOr<TensorMap> back = ReadTensorArchive(dir + "/t.tensors");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_TRUE(at::equal(back->at("a.b"), tensors.at("a.b")));
  EXPECT_EQ(back->at("c").scalar_type(), at::kHalf);

  absl::StatusOr<TensorMap> missing = ReadTensorArchive(dir + "/nope.tensors");
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_NE(missing.status().message().find("nope.tensors"), std::string::npos);
  std::ofstream(dir + "/garbage.tensors") << "not a zip";
  absl::StatusOr<TensorMap> garbage = ReadTensorArchive(dir + "/garbage.tensors");
  EXPECT_NE(garbage.status().message().find("garbage.tensors: not a tensor archive"), std::string::npos)
      << garbage.status();
  c10::impl::GenericDict mixed(c10::StringType::get(), c10::AnyType::get());
  mixed.insert("w", c10::IValue(at::ones({2})));
  mixed.insert("iter", c10::IValue(int64_t{5}));
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(mixed));
  std::ofstream(dir + "/mixed.tensors", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  absl::StatusOr<TensorMap> bad = ReadTensorArchive(dir + "/mixed.tensors");
  EXPECT_NE(bad.status().message().find("'iter' is a Int, not a tensor"), std::string::npos) << bad.status();
}

TEST(AuthorsCheckpoint, KeyRules) {
  EXPECT_EQ(OurNameForAuthorsKey("backbone.transformer.resblocks.3.mlp.c_fc.weight"),
            "clip.visual.transformer.resblocks.3.mlp.c_fc.weight");
  EXPECT_EQ(OurNameForAuthorsKey("backbone.deep_prompt_embeddings"), "clip.visual.deep_prompt_embeddings");
  EXPECT_EQ(OurNameForAuthorsKey("text_encoder.text_projection"), "clip.text_projection");
  EXPECT_EQ(OurNameForAuthorsKey("decode_head.q_proj.bias"), "rd.q_proj.bias");
  EXPECT_EQ(OurNameForAuthorsKey("decode_head.input_proj_1.weight"), "decoder.input_proj.weight");
  EXPECT_EQ(OurNameForAuthorsKey("decode_head.proj_norm_1.bias"), "decoder.proj_norm.bias");
  EXPECT_EQ(OurNameForAuthorsKey("decode_head.decoder_1.layers.2.multihead_attn.proj.weight"),
            "decoder.layers.2.multihead_attn.proj.weight");
  EXPECT_EQ(OurNameForAuthorsKey("decode_head.decoder_1.layers.0.norm3.bias"), "decoder.layers.0.norm3.bias");
  // Skipped on purpose.
  EXPECT_EQ(OurNameForAuthorsKey("decode_head.decoder_1.layers.1.self_attn.in_proj_weight"), "");
  EXPECT_EQ(OurNameForAuthorsKey("decode_head.decoder_1.layers.1.norm1.weight"), "");
  EXPECT_EQ(OurNameForAuthorsKey("decode_head.loss_decode.criterion.empty_weight"), "");
  // Unknown.
  for (const char* key : {"decode_head.decoder_2.layers.0.linear1.weight", "decode_head.conv_seg.weight",
                          "decode_head.decoder_1.layers.x.linear1.weight", "text_encoder.visual.proj",
                          "neck.fc.weight", "decode_head.decoder_1.layers.0.multihead_attn.in_proj_weight"}) {
    EXPECT_EQ(OurNameForAuthorsKey(key), std::nullopt) << key;
  }
}

TEST(AuthorsCheckpoint, InfersTheArchitectureFromTheShapes) {
  const SegmentorOptions o = FromFixture(Fixture());
  EXPECT_EQ(o.clip.vision_width, 16);
  EXPECT_EQ(o.clip.patch_size, 8);
  EXPECT_EQ(o.clip.vision_layers, 2);
  EXPECT_EQ(o.clip.image_resolution, 16);  // 5 positional rows = 2x2 grid + CLS, patch 8
  EXPECT_EQ(o.clip.embed_dim, 8);
  EXPECT_EQ(o.clip.vocab_size, 40);
  EXPECT_EQ(o.clip.text_width, 8);
  EXPECT_EQ(o.clip.context_length, 8);
  EXPECT_EQ(o.clip.text_layers, 1);
  EXPECT_EQ(o.clip.vision_heads, 2);
  EXPECT_TRUE(o.clip.class_embedding_twice);
  EXPECT_EQ(o.prompt.mode, clip::EncoderMode::kDeepPrompt);
  EXPECT_EQ(o.prompt.tokens, 2);
  EXPECT_EQ(o.prompt.depth, 1);
  EXPECT_EQ(o.decoder.layers, 2);
  EXPECT_EQ(o.decoder.width, 8);
  EXPECT_EQ(o.decoder.ffn_ratio, 4);
  EXPECT_FALSE(o.decoder.input_projection);
  EXPECT_TRUE(o.relationship_descriptor);
}

TEST(AuthorsCheckpoint, EveryTensorLandsWhereItShould) {
  const TensorMap state = Fixture();
  std::vector<std::string> keys;
  for (const auto& item : state) keys.push_back(item.first);
  auto index_of = [&](const std::string& key) {
    return static_cast<int64_t>(std::find(keys.begin(), keys.end(), key) - keys.begin());
  };
  ZegClipSegmentor model(FromFixture(state));
  const double logit_scale = model->clip->logit_scale.item<double>();
  ASSERT_TRUE(LoadAuthorsWeights(state, *model, kFixture).ok());

  // Reached through the modules themselves, one per rule.
  auto& visual = *model->clip->visual;
  auto* block1 = visual.transformer->resblocks[1]->as<clip::ResidualAttentionBlock>();
  auto* layer1 = model->decoder->layers[1]->as<heads::TextQueryDecoderLayer>();
  const std::vector<std::pair<at::Tensor, std::string>> expected = {
      {visual.conv1->weight, "backbone.conv1.weight"},
      {visual.class_embedding, "backbone.class_embedding"},
      {visual.positional_embedding, "backbone.positional_embedding"},
      {block1->attn->in_proj_weight, "backbone.transformer.resblocks.1.attn.in_proj_weight"},
      {block1->mlp->c_proj->bias, "backbone.transformer.resblocks.1.mlp.c_proj.bias"},
      {visual.proj, "backbone.proj"},
      {visual.prompt_embeddings, "backbone.prompt_embeddings"},
      {visual.deep_prompt_embeddings, "backbone.deep_prompt_embeddings"},
      {visual.prompt_proj->weight, "backbone.prompt_proj.weight"},
      {visual.prompt_norm->bias, "backbone.prompt_norm.bias"},
      {model->clip->token_embedding->weight, "text_encoder.token_embedding.weight"},
      {model->clip->positional_embedding, "text_encoder.positional_embedding"},
      {model->clip->text_projection, "text_encoder.text_projection"},
      {model->clip->ln_final->weight, "text_encoder.ln_final.weight"},
      {model->rd->q_proj->weight, "decode_head.q_proj.weight"},
      {layer1->multihead_attn->k->bias, "decode_head.decoder_1.layers.1.multihead_attn.k.bias"},
      {layer1->multihead_attn->proj->weight, "decode_head.decoder_1.layers.1.multihead_attn.proj.weight"},
      {layer1->linear1->weight, "decode_head.decoder_1.layers.1.linear1.weight"},
      {layer1->norm3->bias, "decode_head.decoder_1.layers.1.norm3.bias"},
  };
  for (const auto& [param, key] : expected) {
    EXPECT_TRUE(at::equal(param, state.at(key))) << key << " landed elsewhere";
  }

  // Exhaustively: every parameter but logit_scale holds exactly one of their tensors, each used once, and the unused
  // ones are exactly the decoder's self-attention and norm1 and the loss buffer.
  std::map<int64_t, std::string> used;
  for (const auto& item : model->named_parameters()) {
    if (item.key() == "clip.logit_scale") continue;
    const int64_t i = SourceIndex(item.value());
    ASSERT_TRUE(i >= 0 && i < static_cast<int64_t>(keys.size())) << item.key();
    EXPECT_TRUE(at::equal(item.value(), state.at(keys[i]))) << item.key();
    EXPECT_TRUE(used.emplace(i, item.key()).second) << keys[i] << " used twice";
  }
  std::set<std::string> unused;
  for (const std::string& key : keys) {
    if (used.count(index_of(key)) == 0) unused.insert(key);
  }
  for (const std::string& key : unused) {
    const bool skippable = key.find(".self_attn.") != std::string::npos ||
                           key.find(".norm1.") != std::string::npos || key.find("loss_decode.") == 12;
    EXPECT_TRUE(skippable) << key << " was not imported";
  }
  EXPECT_EQ(unused.size(), 2u * (4 + 2) + 1);  // per layer: 4 self_attn + 2 norm1 tensors; the loss buffer
  EXPECT_DOUBLE_EQ(model->clip->logit_scale.item<double>(), logit_scale);
  // And the imported model runs: 3 classes on a 16x16 image -> (1, 3, 2, 2) mask logits per layer.
  model->eval();
  at::Tensor text = at::randn({3, 8});
  std::vector<at::Tensor> masks = model->forward(at::randn({1, 3, 16, 16}), text / text.norm(2, -1, true));
  EXPECT_EQ(masks.back().sizes(), (std::vector<int64_t>{1, 3, 2, 2}));
}

TEST(AuthorsCheckpoint, FailsLoudlyNamingEveryProblemAndCopiesNothing) {
  TensorMap state = Fixture();
  ZegClipSegmentor model(FromFixture(state));
  const at::Tensor before = model->clip->visual->conv1->weight.clone();
  state["decode_head.conv_seg.weight"] = at::zeros({2});
  state["decode_head.decoder_2.layers.0.linear1.weight"] = at::zeros({2});
  state["backbone.positional_embedding"] = at::zeros({17, 16});
  state.erase("backbone.ln_post.bias");
  const absl::Status s = LoadAuthorsWeights(state, *model, "theirs.tensors");
  ASSERT_FALSE(s.ok());
  const std::string m(s.message());
  EXPECT_EQ(m.rfind("theirs.tensors: ", 0), 0u) << m;
  for (const char* part : {"2 unmapped", "decode_head.conv_seg.weight", "decode_head.decoder_2.layers.0.linear1.weight",
                           "backbone.positional_embedding [17, 16] vs clip.visual.positional_embedding [5, 16]",
                           "does not provide: clip.visual.ln_post.bias"}) {
    EXPECT_NE(m.find(part), std::string::npos) << part << " not in: " << m;
  }
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_TRUE(at::equal(model->clip->visual->conv1->weight, before));
}

TEST(AuthorsCheckpoint, ModelsWithoutAHomeForAKeyFail) {
  const TensorMap state = Fixture();
  SegmentorOptions text_only = FromFixture(state);
  text_only.relationship_descriptor = false;
  ZegClipSegmentor model(text_only);
  const absl::Status s = LoadAuthorsWeights(state, *model, "x");
  EXPECT_NE(s.message().find("decode_head.q_proj.weight -> rd.q_proj.weight"), std::string::npos) << s;
}

TEST(AuthorsCheckpoint, ShallowCheckpointSkipsItsUnusedPromptNorm) {
  TensorMap state = Fixture();
  state.erase("backbone.deep_prompt_embeddings");
  const SegmentorOptions o = FromFixture(state);
  EXPECT_EQ(o.prompt.mode, clip::EncoderMode::kShallowPrompt);
  ZegClipSegmentor model(o);
  ASSERT_TRUE(LoadAuthorsWeights(state, *model, "x").ok());
  EXPECT_TRUE(at::equal(model->clip->visual->prompt_proj->bias, state.at("backbone.prompt_proj.bias")));
  // A deep model cannot take it: the checkpoint lacks its deep prompts.
  ZegClipSegmentor deep(FromFixture(Fixture()));
  const absl::Status s = LoadAuthorsWeights(state, *deep, "x");
  EXPECT_NE(s.message().find("does not provide: clip.visual.deep_prompt_embeddings"), std::string::npos) << s;
}

TEST(AuthorsCheckpoint, HalfPrecisionTensorsAreConvertedThroughTheFile) {
  TensorMap state = Fixture();
  for (auto& [name, tensor] : state) tensor = tensor.to(at::kHalf);
  const std::string path = testing::TempDir() + "/half.tensors";
  ASSERT_TRUE(WriteTensorArchive(state, path).ok());
  ZegClipSegmentor model(FromFixture(state));
  ASSERT_TRUE(LoadAuthorsCheckpoint(path, *model).ok());
  EXPECT_EQ(model->rd->q_proj->bias.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(model->rd->q_proj->bias, state.at("decode_head.q_proj.bias").to(at::kFloat)));
  const absl::Status missing = LoadAuthorsCheckpoint(testing::TempDir() + "/none.tensors", *model);
  EXPECT_TRUE(absl::IsNotFound(missing)) << missing;
}

}  // namespace
}  // namespace zegclip::model
