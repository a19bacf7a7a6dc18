#include "zegclip/model/authors_checkpoint.h"

#include <gtest/gtest.h>

#include <limits>
#include <torch/serialize.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <iterator>
#include <set>
#include <torch/autograd.h>

#include "zegclip/clip/residual_attention_block.h"
#include "zegclip/clip/vision_transformer.h"
#include "zegclip/heads/text_query_decoder.h"
#include "zegclip/base/tensor_archive.h"

namespace zegclip::model {
namespace {

// Written by tools/make_fake_authors_checkpoint.py + tools/convert_zegclip_checkpoint.py (Python torch.save): the
// authors' key names at a toy size; tensor i in sorted key order holds i + 0.001·[0, 1, ...].
constexpr char kFixture[] = "zegclip/model/testdata/authors_tiny.tensors";

base::TensorMap Fixture() {
  absl::StatusOr<base::TensorMap> state = base::ReadTensorArchive(kFixture);
  EXPECT_TRUE(state.ok()) << state.status();
  return state.ok() ? *state : base::TensorMap{};
}

SegmentorOptions Base() {
  SegmentorOptions o;
  o.clip.vision_heads = 2;
  o.clip.text_heads = 2;
  o.decoder.heads = 2;
  return o;
}

SegmentorOptions FromFixture(const base::TensorMap& state) {
  absl::StatusOr<SegmentorOptions> o = SegmentorOptionsFromAuthors(state, Base());
  EXPECT_TRUE(o.ok()) << o.status();
  return o.ok() ? *o : Base();
}

// The sorted index of the fixture tensor a parameter was copied from (its first value is that index).
int64_t SourceIndex(const at::Tensor& t) { return std::llround(t.flatten()[0].item<double>()); }

TEST(TensorArchive, ReadsWhatPythonsTorchSaveWroteExactly) {
  const base::TensorMap state = Fixture();
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

// A pickle claiming 8 elements over a record of 4 (CRCs recomputed: a crafted file, not a damaged one; Python's
// torch.load returns 4 floats of foreign memory for it): the tensor is measured against the bytes that exist and
// refused, never read past its buffer.
TEST(TensorArchive, ARecordShorterThanItsTensorIsRefused) {
  absl::StatusOr<base::TensorMap> state = base::ReadTensorArchive("zegclip/model/testdata/short_record.tensors");
  EXPECT_TRUE(absl::IsDataLoss(state.status())) << state.status();
  EXPECT_NE(state.status().message().find("short_record.tensors: 'w': shape [8] with strides [1] at offset 0 needs 8 "
                                          "elements; its storage holds 4"),
            std::string::npos)
      << state.status();
}

TEST(TensorArchive, RoundTripAndErrorsNameTheFile) {
  const std::string dir = testing::TempDir();
  base::TensorMap tensors{{"a.b", at::arange(6, at::kFloat).reshape({2, 3})}, {"c", at::ones({1}, at::kHalf)}};
  ASSERT_TRUE(base::WriteTensorArchive(tensors, dir + "/t.tensors").ok());
  absl::StatusOr<base::TensorMap> back = base::ReadTensorArchive(dir + "/t.tensors");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_TRUE(at::equal(back->at("a.b"), tensors.at("a.b")));
  EXPECT_EQ(back->at("c").scalar_type(), at::kHalf);

  absl::StatusOr<base::TensorMap> missing = base::ReadTensorArchive(dir + "/nope.tensors");
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_NE(missing.status().message().find("nope.tensors"), std::string::npos);
  std::ofstream(dir + "/garbage.tensors") << "not a zip";
  absl::StatusOr<base::TensorMap> garbage = base::ReadTensorArchive(dir + "/garbage.tensors");
  EXPECT_NE(garbage.status().message().find("garbage.tensors: not a tensor archive"), std::string::npos)
      << garbage.status();
  c10::impl::GenericDict mixed(c10::StringType::get(), c10::AnyType::get());
  mixed.insert("w", c10::IValue(at::ones({2})));
  mixed.insert("iter", c10::IValue(int64_t{5}));
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(mixed));
  std::ofstream(dir + "/mixed.tensors", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  absl::StatusOr<base::TensorMap> bad = base::ReadTensorArchive(dir + "/mixed.tensors");
  EXPECT_NE(bad.status().message().find("'iter' is a Int, not a tensor"), std::string::npos) << bad.status();
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
  const base::TensorMap state = Fixture();
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
  base::TensorMap state = Fixture();
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

TEST(AuthorsCheckpoint, NonFiniteWeightsAreRefusedAndCopyNothing) {
  base::TensorMap state = Fixture();
  ZegClipSegmentor model(FromFixture(state));
  const at::Tensor before = model->clip->visual->conv1->weight.clone();
  state["backbone.ln_post.bias"] = state["backbone.ln_post.bias"].clone();
  state["backbone.ln_post.bias"].view(-1)[0] = std::numeric_limits<float>::infinity();
  const absl::Status s = LoadAuthorsWeights(state, *model, "theirs.tensors");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "theirs.tensors: NaN or inf in 1 weight tensor(s) (clip.visual.ln_post.bias): not a usable "
                         "checkpoint");
  EXPECT_TRUE(at::equal(model->clip->visual->conv1->weight, before));
}

TEST(AuthorsCheckpoint, ModelsWithoutAHomeForAKeyFail) {
  const base::TensorMap state = Fixture();
  SegmentorOptions text_only = FromFixture(state);
  text_only.relationship_descriptor = false;
  ZegClipSegmentor model(text_only);
  const absl::Status s = LoadAuthorsWeights(state, *model, "x");
  EXPECT_NE(s.message().find("decode_head.q_proj.weight -> rd.q_proj.weight"), std::string::npos) << s;
}

TEST(AuthorsCheckpoint, ShallowCheckpointSkipsItsUnusedPromptNorm) {
  base::TensorMap state = Fixture();
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
  base::TensorMap state = Fixture();
  for (auto& [name, tensor] : state) tensor = tensor.to(at::kHalf);
  const std::string path = testing::TempDir() + "/half.tensors";
  ASSERT_TRUE(base::WriteTensorArchive(state, path).ok());
  ZegClipSegmentor model(FromFixture(state));
  ASSERT_TRUE(LoadAuthorsCheckpoint(path, *model).ok());
  EXPECT_EQ(model->rd->q_proj->bias.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(model->rd->q_proj->bias, state.at("decode_head.q_proj.bias").to(at::kFloat)));
  const absl::Status missing = LoadAuthorsCheckpoint(testing::TempDir() + "/none.tensors", *model);
  EXPECT_TRUE(absl::IsNotFound(missing)) << missing;
}

// The loss classes the fixture's criterion.empty_weight was made for.
int64_t FixtureLossClasses(const base::TensorMap& state) { return state.at(kAuthorsEmptyWeight).numel() - 1; }

ZegClipSegmentor Imported(const base::TensorMap& state) {
  ZegClipSegmentor model(FromFixture(state));
  const absl::Status s = LoadAuthorsWeights(state, *model, "state");
  EXPECT_TRUE(s.ok()) << s;
  model->eval();
  return model;
}

// The last layer's mask logits on a seeded image and seeded unit class embeddings.
at::Tensor MaskLogits(ZegClipSegmentorImpl& model, int64_t size) {
  torch::NoGradGuard no_grad;
  at::manual_seed(7);
  const at::Tensor image = at::randn({2, 3, size, size});
  at::Tensor text = at::randn({3, model.options().clip.embed_dim});
  return model.forward(image, text / text.norm(2, -1, true)).back();
}

// The image encoder's CLS embedding and patch features on the same seeded image, side by side.
at::Tensor DenseFeatures(ZegClipSegmentorImpl& model, int64_t size) {
  torch::NoGradGuard no_grad;
  at::manual_seed(8);
  const clip::VisionOutput out = model.clip->visual->ForwardDense(at::randn({2, 3, size, size}));
  return at::cat({out.global.unsqueeze(1), out.patches}, /*dim=*/1);
}

TEST(AuthorsExport, ExportThenImportIsBitExact) {
  const base::TensorMap fixture = Fixture();
  ZegClipSegmentor model = Imported(fixture);
  for (int64_t resolution : {0, 16}) {
    absl::StatusOr<base::TensorMap> exported = AuthorsStateDict(*model, {resolution, FixtureLossClasses(fixture)});
    ASSERT_TRUE(exported.ok()) << exported.status();
    // Exactly their keys and shapes; every tensor of ours unchanged, bit for bit.
    ASSERT_EQ(exported->size(), fixture.size());
    for (const auto& [key, tensor] : fixture) {
      ASSERT_EQ(exported->count(key), 1u) << key << " missing";
      const at::Tensor& out = exported->at(key);
      EXPECT_EQ(out.sizes(), tensor.sizes()) << key;
      EXPECT_EQ(out.scalar_type(), tensor.scalar_type()) << key;
      if (!OurNameForAuthorsKey(key)->empty()) EXPECT_TRUE(at::equal(out, tensor)) << key;
    }
    EXPECT_TRUE(at::equal(exported->at(kAuthorsEmptyWeight), AuthorsOnlyTensors(2, 8, FixtureLossClasses(fixture), 0).at(kAuthorsEmptyWeight)));
    ZegClipSegmentor back = Imported(*exported);
    for (const auto& item : model->named_parameters()) {
      EXPECT_TRUE(at::equal(item.value(), back->named_parameters()[item.key()])) << item.key();
    }
  }
  // The export copies: the model's own tensors are untouched by the CLS / positional edits.
  EXPECT_TRUE(at::equal(model->clip->visual->positional_embedding, fixture.at("backbone.positional_embedding")));
}

// A CLIP pre-trained here adds class_embedding to the CLS token once; their forward adds it twice. The export
// compensates in the CLS positional row and stores the positional embedding at their input grid, so their layout
// (our twice-model, which tools/authors_reference checks against their code) computes what ours does.
TEST(AuthorsExport, AOnceModelComputesTheSameInTheirLayout) {
  SegmentorOptions once = FromFixture(Fixture());
  once.clip.class_embedding_twice = false;
  at::manual_seed(3);
  ZegClipSegmentor model(once);
  model->eval();
  {
    torch::NoGradGuard no_grad;  // a class embedding large enough that a missed or doubled one shows
    model->clip->visual->class_embedding.normal_(0, 1);
  }
  absl::StatusOr<base::TensorMap> exported = AuthorsStateDict(*model, {/*input_resolution=*/32, /*loss_classes=*/3});
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->at("backbone.positional_embedding").sizes(), (std::vector<int64_t>{17, 16}));
  ZegClipSegmentor theirs = Imported(*exported);
  EXPECT_TRUE(theirs->options().clip.class_embedding_twice);
  EXPECT_EQ(theirs->options().clip.image_resolution, 32);
  const at::Tensor ours_logits = MaskLogits(*model, 32), their_logits = MaskLogits(*theirs, 32);
  EXPECT_TRUE(at::allclose(their_logits, ours_logits, /*rtol=*/1e-4, /*atol=*/1e-5))
      << (their_logits - ours_logits).abs().max().item<double>();
  const at::Tensor ours_features = DenseFeatures(*model, 32);
  const double feature_gap = (DenseFeatures(*theirs, 32) - ours_features).abs().max().item<double>();
  EXPECT_LT(feature_gap, 1e-5);
  // Without the compensation the CLS token (and through attention every patch) differs: the test can fail.
  base::TensorMap uncompensated = *exported;
  uncompensated.at("backbone.positional_embedding")[0] += exported->at("backbone.class_embedding");
  ZegClipSegmentor doubled = Imported(uncompensated);
  EXPECT_GT((DenseFeatures(*doubled, 32) - ours_features).abs().max().item<double>(), 0.05);
}

// Their head always applies q_proj to [g ⊙ t, t]; a text-query model of ours exports as q_proj = [0 | I].
TEST(AuthorsExport, ATextQueryModelBecomesAnIdentityRelationshipDescriptor) {
  SegmentorOptions text_only = FromFixture(Fixture());
  text_only.relationship_descriptor = false;
  at::manual_seed(4);
  ZegClipSegmentor model(text_only);
  model->eval();
  absl::StatusOr<base::TensorMap> exported = AuthorsStateDict(*model, {0, 3});
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->at("decode_head.q_proj.weight").sizes(), (std::vector<int64_t>{8, 16}));
  ZegClipSegmentor theirs = Imported(*exported);
  ASSERT_TRUE(theirs->options().relationship_descriptor);
  EXPECT_TRUE(at::allclose(MaskLogits(*theirs, 16), MaskLogits(*model, 16), 1e-5, 1e-6));
}

TEST(AuthorsExport, AShallowModelGetsTheirUnusedPromptNorm) {
  base::TensorMap state = Fixture();
  state.erase("backbone.deep_prompt_embeddings");
  ZegClipSegmentor model = Imported(state);
  absl::StatusOr<base::TensorMap> exported = AuthorsStateDict(*model, {0, FixtureLossClasses(state)});
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->size(), state.size());
  EXPECT_EQ(exported->count("backbone.deep_prompt_embeddings"), 0u);
  EXPECT_TRUE(at::equal(exported->at("backbone.prompt_norm.weight"), at::ones({16})));
}

TEST(AuthorsExport, RefusesWhatTheirCodeCannotHold) {
  const base::TensorMap fixture = Fixture();
  ZegClipSegmentor model = Imported(fixture);
  auto message = [&](const ZegClipSegmentorImpl& m, AuthorsExportOptions e) {
    absl::StatusOr<base::TensorMap> out = AuthorsStateDict(m, e);
    EXPECT_FALSE(out.ok());
    return std::string(out.status().message());
  };
  EXPECT_NE(message(*model, {12, 3}).find("input resolution 12 is not a multiple of the patch size 8"),
            std::string::npos);
  EXPECT_NE(message(*model, {16, 0}).find("loss classes 0"), std::string::npos);
  SegmentorOptions narrow = FromFixture(fixture);
  narrow.decoder.ffn_ratio = 2;
  ZegClipSegmentor other(narrow);
  EXPECT_NE(message(*other, {16, 3}).find("model.decoder.ffn_ratio 2"), std::string::npos);
}

TEST(AuthorsExport, WritesAnMmsegCheckpointPythonCanLoad) {
  const base::TensorMap fixture = Fixture();
  ZegClipSegmentor model = Imported(fixture);
  absl::StatusOr<base::TensorMap> exported = AuthorsStateDict(*model, {16, FixtureLossClasses(fixture)});
  ASSERT_TRUE(exported.ok()) << exported.status();
  const std::string path = testing::TempDir() + "/exported.pth";
  ASSERT_TRUE(WriteAuthorsCheckpoint(*exported, {"a", "b", "c"}, {{"exported_from", "x.ckpt"}}, path).ok());
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const c10::IValue value = torch::pickle_load(bytes);
  ASSERT_TRUE(value.isGenericDict());
  const c10::impl::GenericDict top = value.toGenericDict();
  const c10::impl::GenericDict state = top.at("state_dict").toGenericDict();
  EXPECT_EQ(state.size(), fixture.size());
  EXPECT_TRUE(at::equal(state.at("decode_head.q_proj.weight").toTensor(), fixture.at("decode_head.q_proj.weight")));
  const c10::impl::GenericDict meta = top.at("meta").toGenericDict();
  EXPECT_EQ(meta.at("CLASSES").toList().size(), 3u);
  EXPECT_EQ(meta.at("exported_from").toStringRef(), "x.ckpt");
  EXPECT_FALSE(WriteAuthorsCheckpoint(*exported, {}, {}, testing::TempDir() + "/no/such/folder.pth").ok());
}

// For the paper's ViT-B/16 + VPT-deep recipe the printed config is their VOC config's values.
TEST(AuthorsExport, TheConfigSnippetOfThePaperRecipeIsTheirs) {
  SegmentorOptions o;
  o.clip = clip::ClipOptions::ViTB16();
  o.prompt = clip::PromptOptions{clip::EncoderMode::kDeepPrompt, /*tokens=*/10, /*depth=*/11};
  const std::string text = AuthorsConfigSnippet(o, {/*input_resolution=*/512, /*loss_classes=*/15});
  for (const char* part :
       {"context_length=77", "type='VPTCLIPVisionTransformer', num_tokens=10, prompt_dim=768, total_d_layer=11",
        "patch_size=16, width=768, layers=12, heads=12, output_dim=512, input_resolution=512, out_indices=[11]",
        "type='CLIPTextEncoder', context_length=77, vocab_size=49408, embed_dim=512, transformer_width=512, "
        "transformer_heads=8, transformer_layers=12",
        "type='ATMSingleHeadSeg', img_size=512, in_channels=512, channels=512, embed_dims=512, num_layers=3, "
        "num_heads=8, use_proj=False, num_classes=15",
        "type='SegLossPlus', num_classes=15, dec_layers=3"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << " not in:\n" << text;
  }
  o.prompt.mode = clip::EncoderMode::kFrozen;
  EXPECT_NE(AuthorsConfigSnippet(o, {512, 20}).find("backbone=dict(type='CLIPVisionTransformer', patch_size=16"),
            std::string::npos);
}

// Shapes that build no model are one clear error naming the key, never a crash in the model's constructor or a
// division by zero (each found by authors_checkpoint_fuzzer; its corpus keeps the inputs).
TEST(AuthorsCheckpoint, ShapesThatBuildNoModelAreOneClearError) {
  const auto error_for = [](const std::string& key, const at::Tensor& value) {
    base::TensorMap state = Fixture();
    state[key] = value;
    absl::StatusOr<SegmentorOptions> o = SegmentorOptionsFromAuthors(state, Base());
    EXPECT_FALSE(o.ok()) << key;
    return std::string(o.status().message());
  };
  EXPECT_NE(error_for("backbone.prompt_embeddings", at::zeros({32})).find(
                "'backbone.prompt_embeddings' has shape [32], expected 3 dimensions"), std::string::npos);
  // Deep prompts for 2 layers of a 2-layer backbone: they enter only the layers after the first.
  EXPECT_NE(error_for("backbone.deep_prompt_embeddings", at::zeros({2, 2, 16})).find(
                "expected 1 to 1 (the backbone's layers after the first)"), std::string::npos);
  EXPECT_NE(error_for("decode_head.decoder_1.layers.0.linear1.weight", at::zeros({32, 16})).find(
                "decoder width 16 (linear1.weight dim 1) differs from its CLIP embedding size 8"), std::string::npos);
  EXPECT_NE(error_for("backbone.conv1.weight", at::zeros({0, 3, 8, 8})).find("vision width"), std::string::npos);
  EXPECT_NE(error_for("decode_head.decoder_1.layers.0.linear1.weight", at::zeros({32, 0})).find("decoder width"),
            std::string::npos);
  EXPECT_NE(error_for("backbone.positional_embedding", at::zeros({1, 16})).find("not a square grid + 1"),
            std::string::npos);
  EXPECT_NE(error_for("backbone.positional_embedding", at::zeros({0, 16})).find("not a square grid + 1"),
            std::string::npos);
}

}  // namespace
}  // namespace zegclip::model
