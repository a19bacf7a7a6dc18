// Template-averaged class embeddings against a per-prompt loop, and reading class-embedding .npy files.
#include "zegclip/clip/class_embeddings.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/utils.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "zegclip/base/npy_io.h"
#include "zegclip/clip/prompt_templates.h"
#include "zegclip/testing/temp_path.h"
#include "zegclip/testing/tiny_clip_options.h"

namespace zegclip::clip {
namespace {

using ::zegclip::testing::TempPath;
using ::zegclip::testing::TinyClipOptions;

using ::testing::HasSubstr;

// A 4-merge BPE file: vocabulary 512 + 4 + 2 = 518 tokens, so a tiny CLIP can hold it.
BpeTokenizer SmallTokenizer() {
  const std::string path = TempPath("class_embeddings_merges.txt");
  std::ofstream(path) << "#version: test\nc a\nca t</w>\nd o\ndo g</w>\n";
  BpeTokenizerOptions options;
  options.merges_path = path;
  absl::StatusOr<BpeTokenizer> tokenizer = BpeTokenizer::Load(options);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status();
  return *tokenizer;
}

ClipModel SmallModel(int64_t vocab_size = 518) {
  ClipOptions options = TinyClipOptions();
  options.vocab_size = vocab_size;
  options.context_length = 24;
  torch::manual_seed(3);
  return ClipModel(options);
}

at::Tensor Normalized(const at::Tensor& x) { return x / x.norm(2, -1, true); }

TEST(ClassEmbeddings, EqualsAPerPromptLoop) {
  ClipModel model = SmallModel();
  const BpeTokenizer tokenizer = SmallTokenizer();
  const std::vector<std::string> names = {"cat", "dog", "ox"};
  const std::vector<std::string> templates = {"a {}.", "the {} here", "{}", "itap of my {}."};
  model->train();
  absl::StatusOr<at::Tensor> batched = EmbedClassNames(*model, tokenizer, names, templates, /*batch_size=*/5);
  ASSERT_TRUE(batched.ok()) << batched.status();
  EXPECT_TRUE(model->is_training());  // restored
  ASSERT_EQ(batched->sizes(), (std::vector<int64_t>{3, 32}));
  EXPECT_FALSE(batched->requires_grad());

  at::NoGradGuard no_grad;
  model->eval();
  for (size_t c = 0; c < names.size(); ++c) {
    at::Tensor sum = at::zeros({32});
    for (const std::string& t : templates) {
      at::Tensor tokens = *tokenizer.Tokenize({FillTemplate(t, names[c])}, 24);
      sum += Normalized(model->EncodeText(tokens))[0];
    }
    const at::Tensor expected = Normalized(sum / static_cast<double>(templates.size()));
    EXPECT_LE(((*batched)[c] - expected).abs().max().item<float>(), 1e-6f) << names[c];
    EXPECT_NEAR((*batched)[c].norm().item<float>(), 1.0f, 1e-6f);
  }
  // Classes differ (the test would pass trivially on a constant output otherwise).
  EXPECT_LT(((*batched)[0] * (*batched)[1]).sum().item<float>(), 0.999f);
}

TEST(ClassEmbeddings, OneTemplateIsTheNormalisedTextEmbedding) {
  ClipModel model = SmallModel();
  const BpeTokenizer tokenizer = SmallTokenizer();
  absl::StatusOr<at::Tensor> e = EmbedClassNames(*model, tokenizer, {"cat", "dog"}, {"a photo of a {}."});
  ASSERT_TRUE(e.ok());
  at::NoGradGuard no_grad;
  const at::Tensor direct =
      Normalized(model->EncodeText(*tokenizer.Tokenize({"a photo of a cat.", "a photo of a dog."}, 24)));
  EXPECT_LE((*e - direct).abs().max().item<float>(), 1e-6f);
}

TEST(ClassEmbeddings, Errors) {
  ClipModel model = SmallModel();
  const BpeTokenizer tokenizer = SmallTokenizer();
  EXPECT_THAT(std::string(EmbedClassNames(*model, tokenizer, {}, {"{}"}).status().message()),
              HasSubstr("no class names"));
  EXPECT_THAT(std::string(EmbedClassNames(*model, tokenizer, {"cat"}, {}).status().message()),
              HasSubstr("no templates"));
  EXPECT_THAT(std::string(EmbedClassNames(*model, tokenizer, {"cat"}, {"a photo"}).status().message()),
              HasSubstr("must contain '{}'"));
  EXPECT_THAT(std::string(EmbedClassNames(*model, tokenizer, {std::string(40, 'x')}, {"{}"}).status().message()),
              HasSubstr("class prompt"));
  ClipModel small_vocab = SmallModel(/*vocab_size=*/300);
  EXPECT_THAT(std::string(EmbedClassNames(*small_vocab, tokenizer, {"cat"}, {"{}"}).status().message()),
              HasSubstr("the BPE vocabulary has 518 tokens but the CLIP model only 300"));
}

TEST(ClassEmbeddings, ReadsFloat16And32Files) {
  const at::Tensor values = Normalized(at::randn({20, 512}));
  const std::string f32 = TempPath("voc12_single.npy");
  const std::string f16 = TempPath("voc12_single_fp16.npy");
  ASSERT_TRUE(base::WriteNpy(f32, values).ok());
  ASSERT_TRUE(base::WriteNpy(f16, values.to(at::kHalf)).ok());
  absl::StatusOr<at::Tensor> a = ReadClassEmbeddings(f32, 20, 512);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(at::equal(*a, values));
  absl::StatusOr<at::Tensor> b = ReadClassEmbeddings(f16, -1, -1);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(*b, values.to(at::kHalf).to(at::kFloat)));
}

TEST(ClassEmbeddings, ReadErrorsNameTheFileAndTheExpectedShape) {
  const std::string path = TempPath("embeddings.npy");
  auto message = [&](const at::Tensor& t, int64_t classes, int64_t dim) {
    EXPECT_TRUE(base::WriteNpy(path, t).ok());
    return std::string(ReadClassEmbeddings(path, classes, dim).status().message());
  };
  EXPECT_THAT(message(at::zeros({20, 512}), 15, 512), HasSubstr("embeddings.npy: shape (20, 512), expected (15, 512)"));
  EXPECT_THAT(message(at::zeros({20, 768}), -1, 512), HasSubstr("shape (20, 768), expected (C, 512)"));
  EXPECT_THAT(message(at::zeros({20}), 20, 512), HasSubstr("shape (20), expected (20, 512)"));
  EXPECT_THAT(message(at::zeros({2, 4}, at::kLong), 2, 4), HasSubstr("dtype Long"));
  at::Tensor nan = at::zeros({2, 4});
  nan[1][2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THAT(message(nan, 2, 4), HasSubstr("NaN"));
  EXPECT_THAT(std::string(ReadClassEmbeddings(TempPath("none.npy"), 2, 4).status().message()),
              HasSubstr("none.npy does not exist"));
}

}  // namespace
}  // namespace zegclip::clip
