// CLIP preprocessing against Pillow: raw bicubic resizes byte for byte, and the whole transform (resize, crop,
// normalise) after decoding the same PNG, on numbers written by testdata/make_preprocess_fixture.py.
#include "zegclip/clip/image_preprocess.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "data/image_io.h"
#include "zegclip/base/npy_io.h"

namespace zegclip::clip {
namespace {

using ::testing::HasSubstr;

constexpr char kTestdata[] = "zegclip/clip/testdata/";

at::Tensor Fixture(const std::string& name) {
  absl::StatusOr<at::Tensor> t = base::ReadNpy(std::string(kTestdata) + name);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : at::Tensor();
}

at::Tensor InputImage() {
  absl::StatusOr<at::Tensor> rgb = data::ReadRgbImage(std::string(kTestdata) + "preprocess_input.png");
  EXPECT_TRUE(rgb.ok()) << rgb.status();
  return *rgb;
}

TEST(ImagePreprocess, InputDecodesToThePillowImage) {
  const at::Tensor rgb = InputImage();
  EXPECT_EQ(rgb.sizes(), (std::vector<int64_t>{37, 45, 3}));
}

TEST(ImagePreprocess, BicubicResizeEqualsPillowByteForByte) {
  const at::Tensor rgb = InputImage();
  struct Case {
    int64_t width, height;
  };
  for (const Case& c : std::vector<Case>{{29, 24}, {11, 9}, {20, 60}}) {
    const at::Tensor expected =
        Fixture("preprocess_resize_" + std::to_string(c.width) + "x" + std::to_string(c.height) + ".npy");
    const at::Tensor ours = ResizeBicubicPil(rgb, c.width, c.height);
    ASSERT_EQ(ours.sizes(), expected.sizes());
    const int64_t differing = ours.ne(expected).sum().item<int64_t>();
    EXPECT_EQ(differing, 0) << c.width << "x" << c.height << ": max diff "
                            << (ours.to(at::kInt) - expected.to(at::kInt)).abs().max().item<int>();
  }
}

TEST(ImagePreprocess, ClipTransformMatchesPillowAfterNormalisation) {
  const at::Tensor rgb = InputImage();
  struct Case {
    const char* fixture;
    at::Tensor image;
    int64_t resolution;
  };
  const std::vector<Case> cases = {{"preprocess_clip_24.npy", rgb, 24},  // downscale, crop offset round(2.5) = 2
                                   {"preprocess_clip_64.npy", rgb, 64},  // upscale, crop offset round(6.5) = 6
                                   {"preprocess_clip_transposed_24.npy", rgb.transpose(0, 1), 24}};  // portrait
  for (const Case& c : cases) {
    const at::Tensor expected = Fixture(c.fixture);
    const at::Tensor ours = PreprocessClipImage(c.image, c.resolution);
    ASSERT_EQ(ours.sizes(), expected.sizes()) << c.fixture;
    // Identical pixels and the same float32 operations: the difference is zero (1e-6 leaves room for a compiler
    // that fuses the subtraction and division differently).
    const float max_diff = (ours - expected).abs().max().item<float>();
    std::cout << c.fixture << ": max abs diff to Pillow " << max_diff << "\n";
    EXPECT_LE(max_diff, 1e-6f) << c.fixture;
  }
}

TEST(ImagePreprocess, ShortSideShapeTruncatesLikePython) {
  EXPECT_EQ(ShortSideResizeShape(37, 45, 24), std::make_pair(int64_t{24}, int64_t{29}));  // int(29.19)
  EXPECT_EQ(ShortSideResizeShape(45, 37, 24), std::make_pair(int64_t{29}, int64_t{24}));
  EXPECT_EQ(ShortSideResizeShape(480, 640, 224), std::make_pair(int64_t{224}, int64_t{298}));  // int(298.67)
  EXPECT_EQ(ShortSideResizeShape(224, 500, 224), std::make_pair(int64_t{224}, int64_t{500}));  // unchanged
  EXPECT_EQ(ShortSideResizeShape(100, 100, 224), std::make_pair(int64_t{224}, int64_t{224}));
}

TEST(ImagePreprocess, CenterCropRoundsHalvesToEven) {
  const at::Tensor columns = at::arange(30, at::kByte).view({1, 30, 1}).expand({24, 30, 3}).contiguous();
  // Left offsets: (29-24)/2 = 2.5 -> 2, (27-24)/2 = 1.5 -> 2, (25-24)/2 = 0.5 -> 0, (30-24)/2 = 3.
  const std::vector<std::pair<int64_t, int>> widths = {{29, 2}, {27, 2}, {25, 0}, {30, 3}};
  for (const auto& [width, left] : widths) {
    const at::Tensor crop = CenterCropHwc(columns.slice(1, 0, width), 24);
    EXPECT_EQ(crop.sizes(), (std::vector<int64_t>{24, 24, 3}));
    EXPECT_EQ(crop[0][0][0].item<uint8_t>(), left) << width;
  }
}

TEST(ImagePreprocess, ResizeKeepsConstantImagesAndIdentity) {
  const at::Tensor flat = at::full({17, 23, 3}, 200, at::kByte);
  for (const auto& [w, h] : std::vector<std::pair<int64_t, int64_t>>{{7, 5}, {50, 40}, {23, 9}}) {
    EXPECT_TRUE(ResizeBicubicPil(flat, w, h).eq(200).all().item<bool>()) << w << "x" << h;
  }
  const at::Tensor rgb = InputImage();
  EXPECT_TRUE(at::equal(ResizeBicubicPil(rgb, 45, 37), rgb));
}

}  // namespace
}  // namespace zegclip::clip
