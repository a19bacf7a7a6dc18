#include "zegclip/clip/clip_checkpoint.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <limits>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/testing/temp_path.h"
#include "zegclip/testing/tensor_fixtures.h"
#include "zegclip/testing/tiny_clip_options.h"

namespace zegclip::clip {
namespace {

using ::zegclip::testing::FreshTempDir;
using ::zegclip::testing::TinyClipOptions;
using ::zegclip::testing::TestImages;

namespace fs = std::filesystem;

at::Tensor Tokens(const ClipOptions& o) {
  at::Tensor t = at::zeros({2, o.context_length}, at::kLong);
  t[0][0] = o.vocab_size - 2; t[0][1] = 5; t[0][2] = o.vocab_size - 1;
  t[1][0] = o.vocab_size - 2; t[1][1] = 7; t[1][2] = 9; t[1][3] = o.vocab_size - 1;
  return t;
}

void ExpectSameParameters(const ClipModelImpl& a, const ClipModelImpl& b) {
  auto pb = b.named_parameters();
  for (const auto& item : a.named_parameters()) {
    const at::Tensor* other = pb.find(item.key());
    ASSERT_NE(other, nullptr) << item.key();
    EXPECT_TRUE(item.value().equal(*other)) << item.key();
  }
}

// An archive laid out like OpenAI's ViT-B-16.pt, built independently of SaveClipCheckpoint: nested modules, every
// floating tensor in fp16, and the non-parameter entries input_resolution / context_length / vocab_size.
void WriteOpenAiStyleArchive(const ClipModelImpl& model, const std::string& path) {
  auto unit = std::make_shared<torch::jit::CompilationUnit>();
  int counter = 0;
  std::map<std::string, torch::jit::Module> modules;
  torch::jit::Module root(c10::QualifiedName("__torch__.openai_like.Root"), unit, true);
  std::function<torch::jit::Module(const std::string&)> get = [&](const std::string& p) -> torch::jit::Module {
    if (p.empty()) return root;
    auto it = modules.find(p);
    if (it != modules.end()) return it->second;
    torch::jit::Module m(c10::QualifiedName("__torch__.openai_like.M" + std::to_string(counter++)), unit, true);
    modules.emplace(p, m);
    const size_t dot = p.rfind('.');
    torch::jit::Module parent = get(dot == std::string::npos ? "" : p.substr(0, dot));
    parent.register_module(dot == std::string::npos ? p : p.substr(dot + 1), m);
    return m;
  };
  for (const auto& item : model.named_parameters()) {
    const std::string& name = item.key();
    const size_t dot = name.rfind('.');
    torch::jit::Module owner = get(dot == std::string::npos ? "" : name.substr(0, dot));
    owner.register_parameter(dot == std::string::npos ? name : name.substr(dot + 1),
                             item.value().detach().to(at::kHalf), false);
  }
  root.register_buffer("input_resolution", at::tensor(224));
  root.register_buffer("context_length", at::tensor(77));
  root.register_buffer("vocab_size", at::tensor(49408));
  root.save(path);
}

TEST(ClipCheckpoint, RoundTripRestoresOptionsAndOutputs) {
  fs::path dir = FreshTempDir("clip_checkpoint_round_trip");
  const std::string path = (dir / "clip.pt").string();
  ClipOptions o = TinyClipOptions();
  ClipModel original(o);
  original->eval();
  ASSERT_TRUE(SaveClipCheckpoint(*original, path).ok());

  absl::StatusOr<ClipOptions> inferred = InferClipOptions(path);
  ASSERT_TRUE(inferred.ok()) << inferred.status();
  EXPECT_EQ(inferred->image_resolution, 32);
  EXPECT_EQ(inferred->patch_size, 16);
  EXPECT_EQ(inferred->vision_width, 64);
  EXPECT_EQ(inferred->vision_layers, 3);
  EXPECT_EQ(inferred->vision_heads, 2);  // recorded, not width / 64
  EXPECT_EQ(inferred->embed_dim, 32);
  EXPECT_EQ(inferred->context_length, 12);
  EXPECT_EQ(inferred->vocab_size, 50);
  EXPECT_EQ(inferred->text_width, 64);
  EXPECT_EQ(inferred->text_heads, 4);
  EXPECT_EQ(inferred->text_layers, 2);

  ClipModel loaded(*inferred);
  loaded->eval();
  ASSERT_TRUE(LoadClipWeights(path, *loaded).ok());
  ExpectSameParameters(*original, *loaded);
  at::NoGradGuard no_grad;
  at::Tensor images = TestImages(2, 32, 32);
  EXPECT_TRUE(loaded->EncodeImage(images).equal(original->EncodeImage(images)));
  EXPECT_TRUE(loaded->EncodeText(Tokens(o)).equal(original->EncodeText(Tokens(o))));
  EXPECT_TRUE(loaded->visual->ForwardDense(TestImages(1, 64, 64))
                  .patches.equal(original->visual->ForwardDense(TestImages(1, 64, 64)).patches));
}

TEST(ClipCheckpoint, ArchiveHasOpenAisNesting) {
  fs::path dir = FreshTempDir("clip_checkpoint_nesting");
  const std::string path = (dir / "clip.pt").string();
  ClipModel model(TinyClipOptions());
  ASSERT_TRUE(SaveClipCheckpoint(*model, path).ok());
  torch::jit::Module archive = torch::jit::load(path);
  EXPECT_TRUE(archive.hasattr("visual"));
  EXPECT_TRUE(archive.attr("visual").toModule().hasattr("transformer"));
  std::map<std::string, at::Tensor> params;
  for (const auto& item : archive.named_parameters()) params[item.name] = item.value;
  EXPECT_EQ(params.size(), model->named_parameters().size());
  EXPECT_TRUE(params.at("visual.transformer.resblocks.1.attn.in_proj_weight")
                  .equal(model->visual->transformer->block(1)->attn->in_proj_weight));
  EXPECT_EQ(params.at("logit_scale").dim(), 0);
}

TEST(ClipCheckpoint, Fp16StoresOpenAisHalvedTensorsInHalf) {
  fs::path dir = FreshTempDir("clip_checkpoint_fp16");
  const std::string path = (dir / "clip16.pt").string();
  ClipModel original(TinyClipOptions());
  ASSERT_TRUE(SaveClipCheckpoint(*original, path, /*fp16=*/true).ok());
  std::map<std::string, at::Tensor> stored;
  for (const auto& item : torch::jit::load(path).named_parameters()) stored[item.name] = item.value;
  EXPECT_EQ(stored.at("visual.conv1.weight").scalar_type(), at::kHalf);
  EXPECT_EQ(stored.at("visual.proj").scalar_type(), at::kHalf);
  EXPECT_EQ(stored.at("text_projection").scalar_type(), at::kHalf);
  EXPECT_EQ(stored.at("transformer.resblocks.0.attn.in_proj_bias").scalar_type(), at::kHalf);
  EXPECT_EQ(stored.at("transformer.resblocks.0.mlp.c_fc.weight").scalar_type(), at::kHalf);
  EXPECT_EQ(stored.at("visual.ln_pre.weight").scalar_type(), at::kFloat);
  EXPECT_EQ(stored.at("token_embedding.weight").scalar_type(), at::kFloat);
  EXPECT_EQ(stored.at("logit_scale").scalar_type(), at::kFloat);

  ClipModel loaded(TinyClipOptions());
  ASSERT_TRUE(LoadClipWeights(path, *loaded).ok());
  auto orig = original->named_parameters();
  for (const auto& item : loaded->named_parameters()) {
    EXPECT_EQ(item.value().scalar_type(), at::kFloat);
    const at::Tensor expected = stored.at(item.key()).scalar_type() == at::kHalf
                                    ? orig[item.key()].to(at::kHalf).to(at::kFloat)
                                    : orig[item.key()];
    EXPECT_TRUE(item.value().equal(expected)) << item.key();
  }
  // Half rounding is small: relative error < 2^-10.
  at::Tensor w = loaded->visual->conv1->weight;
  at::Tensor w0 = original->visual->conv1->weight;
  EXPECT_LE(((w - w0).abs() / w0.abs().clamp_min(1e-3)).max().item<float>(), 1.0f / 1024);
}

TEST(ClipCheckpoint, LoadsOpenAiStyleArchive) {
  ClipOptions o = TinyClipOptions();
  o.vision_heads = 1;  // width / 64, what OpenAI's build_model infers
  o.text_heads = 1;
  fs::path dir = FreshTempDir("clip_checkpoint_openai");
  const std::string path = (dir / "ViT-tiny.pt").string();
  ClipModel source(o);
  WriteOpenAiStyleArchive(*source, path);
  absl::StatusOr<ClipOptions> inferred = InferClipOptions(path);
  ASSERT_TRUE(inferred.ok()) << inferred.status();
  EXPECT_EQ(inferred->vision_heads, 1);
  EXPECT_EQ(inferred->text_heads, 1);
  EXPECT_EQ(inferred->image_resolution, 32);
  ClipModel loaded(*inferred);
  absl::Status status = LoadClipWeights(path, *loaded);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_TRUE(loaded->visual->class_embedding.equal(source->visual->class_embedding.to(at::kHalf).to(at::kFloat)));
  EXPECT_EQ(loaded->logit_scale.scalar_type(), at::kFloat);
}

TEST(ClipCheckpoint, MissingFileIsNotFound) {
  const std::string path = (fs::path(FreshTempDir("clip_checkpoint_missing")) / "nope.pt").string();
  absl::Status status = LoadClipWeights(path, *ClipModel(TinyClipOptions()));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find(path), std::string::npos) << status;
  EXPECT_EQ(InferClipOptions(path).status().code(), absl::StatusCode::kNotFound);
}

TEST(ClipCheckpoint, CorruptFilesAreRejectedWithTheirName) {
  fs::path dir = FreshTempDir("clip_checkpoint_corrupt");
  const std::string garbage = (dir / "garbage.pt").string();
  std::ofstream(garbage) << "this is not a zip archive";
  absl::Status status = LoadClipWeights(garbage, *ClipModel(TinyClipOptions()));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find(garbage), std::string::npos) << status;
  EXPECT_NE(status.message().find("TorchScript"), std::string::npos) << status;
  EXPECT_EQ(status.message().find('\n'), std::string::npos) << status;

  // A valid archive cut in half.
  const std::string full = (dir / "full.pt").string();
  ASSERT_TRUE(SaveClipCheckpoint(*ClipModel(TinyClipOptions()), full).ok());
  const std::string truncated = (dir / "truncated.pt").string();
  fs::copy_file(full, truncated);
  fs::resize_file(truncated, fs::file_size(full) / 2);
  EXPECT_EQ(InferClipOptions(truncated).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ClipCheckpoint, ShapeMismatchNamesTheKeyAndBothShapes) {
  fs::path dir = FreshTempDir("clip_checkpoint_shape");
  const std::string path = (dir / "clip.pt").string();
  ASSERT_TRUE(SaveClipCheckpoint(*ClipModel(TinyClipOptions()), path).ok());
  ClipOptions larger_vocab = TinyClipOptions();
  larger_vocab.vocab_size = 60;  // only token_embedding.weight differs
  absl::Status status = LoadClipWeights(path, *ClipModel(larger_vocab));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("'token_embedding.weight'"), std::string::npos) << status;
  EXPECT_NE(status.message().find("[50, 64]"), std::string::npos) << status;
  EXPECT_NE(status.message().find("[60, 64]"), std::string::npos) << status;
}

TEST(ClipCheckpoint, MissingAndUnexpectedKeysAreNamed) {
  fs::path dir = FreshTempDir("clip_checkpoint_keys");
  const std::string path = (dir / "clip.pt").string();
  ASSERT_TRUE(SaveClipCheckpoint(*ClipModel(TinyClipOptions()), path).ok());
  ClipOptions deeper = TinyClipOptions();
  deeper.vision_layers = 4;
  absl::Status missing = LoadClipWeights(path, *ClipModel(deeper));
  EXPECT_NE(missing.message().find("missing key 'visual.transformer.resblocks.3."), std::string::npos) << missing;
  ClipOptions shallower = TinyClipOptions();
  shallower.text_layers = 1;
  absl::Status unexpected = LoadClipWeights(path, *ClipModel(shallower));
  EXPECT_NE(unexpected.message().find("unexpected key 'transformer.resblocks.1."), std::string::npos) << unexpected;
}

TEST(ClipCheckpoint, FailedLoadChangesNothing) {
  fs::path dir = FreshTempDir("clip_checkpoint_atomic_load");
  const std::string path = (dir / "clip.pt").string();
  ClipOptions wider = TinyClipOptions();
  wider.embed_dim = 48;  // only visual.proj / text_projection differ
  ASSERT_TRUE(SaveClipCheckpoint(*ClipModel(wider), path).ok());
  ClipModel model(TinyClipOptions());
  at::Tensor before = model->visual->conv1->weight.clone();
  EXPECT_FALSE(LoadClipWeights(path, *model).ok());
  EXPECT_TRUE(model->visual->conv1->weight.equal(before));
}

TEST(ClipCheckpoint, NonFiniteWeightsAreRefusedAndLoadNothing) {
  fs::path dir = FreshTempDir("clip_checkpoint_non_finite");
  const std::string path = (dir / "clip.pt").string();
  ClipModel saved(TinyClipOptions());
  {
    at::NoGradGuard no_grad;
    saved->visual->conv1->weight.view(-1)[3] = std::numeric_limits<float>::quiet_NaN();
  }
  ASSERT_TRUE(SaveClipCheckpoint(*saved, path).ok());
  ClipModel model(TinyClipOptions());
  at::Tensor before = model->visual->conv1->weight.clone();
  const absl::Status s = LoadClipWeights(path, *model);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), path + ": NaN or inf in 1 weight tensor(s) (visual.conv1.weight): not a usable CLIP "
                                "checkpoint");
  EXPECT_TRUE(model->visual->conv1->weight.equal(before));
}

TEST(ClipCheckpoint, PromptsLoadWhenPresentAndKeepInitialisationOtherwise) {
  fs::path dir = FreshTempDir("clip_checkpoint_prompts");
  const std::string plain_path = (dir / "plain.pt").string();
  const std::string dpt_path = (dir / "dpt.pt").string();
  const PromptOptions dpt{EncoderMode::kDeepPrompt, 4, 2};
  ClipModel plain(TinyClipOptions());
  ASSERT_TRUE(SaveClipCheckpoint(*plain, plain_path).ok());
  ClipModel target(TinyClipOptions(), dpt);
  at::Tensor prompts_before = target->visual->deep_prompt_embeddings.clone();
  ASSERT_TRUE(LoadClipWeights(plain_path, *target).ok());
  EXPECT_TRUE(target->visual->deep_prompt_embeddings.equal(prompts_before));
  EXPECT_TRUE(target->visual->conv1->weight.equal(plain->visual->conv1->weight));

  ClipModel trained(TinyClipOptions(), dpt);
  ASSERT_TRUE(SaveClipCheckpoint(*trained, dpt_path).ok());
  ClipModel restored(TinyClipOptions(), dpt);
  ASSERT_TRUE(LoadClipWeights(dpt_path, *restored).ok());
  ExpectSameParameters(*trained, *restored);
  // A prompted archive does not fit a plain model.
  absl::Status status = LoadClipWeights(dpt_path, *ClipModel(TinyClipOptions()));
  EXPECT_NE(status.message().find("unexpected key 'visual."), std::string::npos) << status;
}

TEST(ClipCheckpoint, SaveIsAtomicAndReplacesTheOldFile) {
  fs::path dir = FreshTempDir("clip_checkpoint_atomic_save");
  const std::string path = (dir / "clip.pt").string();
  ClipModel first(TinyClipOptions());
  ClipModel second(TinyClipOptions());
  ASSERT_TRUE(SaveClipCheckpoint(*first, path).ok());
  ASSERT_TRUE(SaveClipCheckpoint(*second, path).ok());
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(entry.path().filename().string(), "clip.pt");  // no temporary left behind
  }
  EXPECT_EQ(files, 1);
  ClipModel loaded(TinyClipOptions());
  ASSERT_TRUE(LoadClipWeights(path, *loaded).ok());
  ExpectSameParameters(*second, *loaded);
  absl::Status status = SaveClipCheckpoint(*first, (dir / "no_such_dir" / "clip.pt").string());
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("no_such_dir"), std::string::npos) << status;
}

TEST(ClipCheckpoint, NonClipArchiveNamesTheMissingKey) {
  fs::path dir = FreshTempDir("clip_checkpoint_not_clip");
  const std::string path = (dir / "other.pt").string();
  torch::jit::Module m(c10::QualifiedName("__torch__.other.Net"));
  m.register_parameter("weight", at::ones({2, 2}), false);
  m.save(path);
  absl::StatusOr<ClipOptions> options = InferClipOptions(path);
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(options.status().message().find("'visual.conv1.weight'"), std::string::npos) << options.status();
}

}  // namespace
}  // namespace zegclip::clip
