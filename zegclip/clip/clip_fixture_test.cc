// A CLIP archive in OpenAI's layout, names and fp16 storage, written by an independent Python restatement of
// OpenAI's model.py (testdata/make_clip_fixture.py, PyTorch 1.13), loaded with InferClipOptions + LoadClipWeights:
// encode_image / encode_text / logits must match the Python goldens (cosine >= 0.9999 per row, small max abs diff),
// with both attention kernels, and through OpenAI's preprocessing for a PNG. No Python at test time.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "data/image_io.h"
#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/image_preprocess.h"
#include "zegclip/base/npy_io.h"

namespace zegclip::clip {
namespace {

constexpr char kTestdata[] = "zegclip/clip/testdata/";

at::Tensor Fixture(const std::string& name) {
  absl::StatusOr<at::Tensor> t = base::ReadNpy(std::string(kTestdata) + name);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : at::Tensor();
}

std::string ArchivePath() { return std::string(kTestdata) + "clip_fixture.pt"; }

ClipModel LoadFixtureModel() {
  absl::StatusOr<ClipOptions> options = InferClipOptions(ArchivePath());
  EXPECT_TRUE(options.ok()) << options.status();
  ClipModel model(*options);
  absl::Status loaded = LoadClipWeights(ArchivePath(), *model);
  EXPECT_TRUE(loaded.ok()) << loaded;
  model->eval();
  return model;
}

// Per-row cosine >= 0.9999 and max |a - b| <= atol; prints both for the record.
void ExpectRowsMatch(const at::Tensor& ours, const at::Tensor& golden, const std::string& what, double atol) {
  ASSERT_EQ(ours.sizes(), golden.sizes()) << what;
  const at::Tensor cosine = (ours * golden).sum(-1) / (ours.norm(2, -1) * golden.norm(2, -1));
  const double min_cosine = cosine.min().item<double>();
  const double max_diff = (ours - golden).abs().max().item<double>();
  std::cout << what << ": min cosine " << min_cosine << ", max abs diff " << max_diff << " (values up to "
            << golden.abs().max().item<double>() << ")\n";
  EXPECT_GE(min_cosine, 0.9999) << what;
  EXPECT_LE(max_diff, atol) << what;
}

TEST(ClipFixture, InfersOpenAisArchitectureFromTheArchive) {
  absl::StatusOr<ClipOptions> o = InferClipOptions(ArchivePath());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->image_resolution, 32);
  EXPECT_EQ(o->patch_size, 8);
  EXPECT_EQ(o->vision_width, 128);
  EXPECT_EQ(o->vision_layers, 1);
  EXPECT_EQ(o->vision_heads, 2);  // width / 64: OpenAI archives do not record heads
  EXPECT_EQ(o->embed_dim, 64);
  EXPECT_EQ(o->context_length, 77);
  EXPECT_EQ(o->vocab_size, 100);
  EXPECT_EQ(o->text_width, 128);
  EXPECT_EQ(o->text_heads, 2);
  EXPECT_EQ(o->text_layers, 1);
}

TEST(ClipFixture, EncodersMatchPythonWithBothAttentionKernels) {
  ClipModel model = LoadFixtureModel();
  EXPECT_FLOAT_EQ(model->logit_scale.item<float>(), 3.0f);
  const at::Tensor images = Fixture("clip_fixture_images.npy");
  const at::Tensor tokens = Fixture("clip_fixture_tokens.npy");
  ASSERT_EQ(tokens.scalar_type(), at::kLong);
  at::NoGradGuard no_grad;
  for (bool fused : {false, true}) {
    model->SetFusedAttention(fused);
    const std::string kernel = fused ? " (fused attention where available)" : " (explicit attention)";
    ExpectRowsMatch(model->EncodeImage(images), Fixture("clip_fixture_image_features.npy"), "encode_image" + kernel,
                    1e-4);
    ExpectRowsMatch(model->EncodeText(tokens), Fixture("clip_fixture_text_features.npy"), "encode_text" + kernel, 1e-4);
    ExpectRowsMatch(model->forward(images, tokens), Fixture("clip_fixture_logits.npy"), "logits" + kernel, 1e-4);
  }
}

TEST(ClipFixture, PngThroughOpenAisPreprocessingMatchesPython) {
  ClipModel model = LoadFixtureModel();
  absl::StatusOr<at::Tensor> rgb = data::ReadRgbImage(std::string(kTestdata) + "preprocess_input.png");
  ASSERT_TRUE(rgb.ok()) << rgb.status();
  const at::Tensor image = PreprocessClipImage(*rgb, 32);
  at::NoGradGuard no_grad;
  ExpectRowsMatch(model->EncodeImage(image.unsqueeze(0)), Fixture("clip_fixture_png_features.npy"),
                  "encode_image(preprocess(png))", 1e-4);
}

TEST(ClipFixture, GoldensAreNotDegenerate) {
  // Distinct inputs give distinct embeddings, so matching them is informative.
  const at::Tensor text = Fixture("clip_fixture_text_features.npy");
  const at::Tensor unit = text / text.norm(2, -1, true);
  const at::Tensor off_diagonal = at::matmul(unit, unit.t()) - at::eye(3);
  EXPECT_LT(off_diagonal.max().item<float>(), 0.99f);
  const at::Tensor image = Fixture("clip_fixture_image_features.npy");
  EXPECT_GT((image[0] - image[1]).abs().max().item<float>(), 1e-2f);
}

}  // namespace
}  // namespace zegclip::clip
