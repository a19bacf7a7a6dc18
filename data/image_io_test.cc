#include "data/image_io.h"

#include <png.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>

#include <tuple>

#include "data/image_header.h"
#include "gtest/gtest.h"
#include "zegclip/testing/temp_path.h"

namespace zegclip::data {
namespace {

using ::zegclip::testing::TempPath;

at::Tensor Labels() {
  at::Tensor t = at::zeros({6, 5}, at::kByte);
  t[0][0] = 1, t[1][2] = 15, t[2][4] = 20, t[5][0] = 255, t[3][3] = 7;
  return t;
}

TEST(ImageIo, PalettePngIsReadAsIndicesNotColours) {
  const std::string path = TempPath("palette.png");
  ASSERT_TRUE(WriteIndexPng(path, Labels(), &VocPalette()).ok());
  const absl::StatusOr<at::Tensor> read = ReadIndexPng(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(at::equal(*read, Labels()));
  // What OpenCV would have handed over instead: the palette colours (VOC class 1 is (128, 0, 0)).
  const cv::Mat expanded = cv::imread(path, cv::IMREAD_UNCHANGED);
  ASSERT_EQ(expanded.channels(), 3);
  EXPECT_EQ(expanded.at<cv::Vec3b>(0, 0)[2], 128);  // BGR: red channel
}

TEST(ImageIo, GreyscalePngRoundTrips) {
  const std::string path = TempPath("grey.png");
  ASSERT_TRUE(WriteIndexPng(path, Labels(), nullptr).ok());
  const absl::StatusOr<at::Tensor> read = ReadIndexPng(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(at::equal(*read, Labels()));
}

// A 2-bit palette PNG (as some tools write small label sets): values unpacked, not rescaled.
TEST(ImageIo, SubBytePalettePngIsUnpacked) {
  const std::string path = TempPath("two_bit.png");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, f);
  png_set_IHDR(png, info, 4, 2, 2, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_color palette[4] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
  png_set_PLTE(png, info, palette, 4);
  png_write_info(png, info);
  png_set_packing(png);
  png_byte row0[4] = {0, 1, 2, 3}, row1[4] = {3, 3, 1, 0};
  png_bytep rows[2] = {row0, row1};
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(f);
  const absl::StatusOr<at::Tensor> read = ReadIndexPng(path);
  ASSERT_TRUE(read.ok()) << read.status();
  const at::Tensor expected = at::tensor({0, 1, 2, 3, 3, 3, 1, 0}, at::kInt).to(at::kByte).view({2, 4});
  EXPECT_TRUE(at::equal(*read, expected));
}

TEST(ImageIo, RgbPngIsRejectedAsALabel) {
  const std::string path = TempPath("rgb_label.png");
  ASSERT_TRUE(WriteRgbImage(path, at::zeros({4, 4, 3}, at::kByte)).ok());
  const absl::StatusOr<at::Tensor> read = ReadIndexPng(path);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("expected a palette/index PNG"), std::string::npos) << read.status();
  EXPECT_NE(read.status().message().find("RGB"), std::string::npos) << read.status();
  EXPECT_NE(read.status().message().find(path), std::string::npos);
}

TEST(ImageIo, MissingAndNonPngFilesFailByName) {
  const absl::StatusOr<at::Tensor> missing = ReadIndexPng(TempPath("nothing.png"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nothing.png"), std::string::npos);
  const std::string jpg = TempPath("image.jpg");
  ASSERT_TRUE(WriteRgbImage(jpg, at::zeros({4, 4, 3}, at::kByte)).ok());
  EXPECT_FALSE(ReadIndexPng(jpg).ok());
  EXPECT_EQ(ReadRgbImage(TempPath("nothing.jpg")).status().code(), absl::StatusCode::kNotFound);
  const std::string text = TempPath("text.jpg");
  std::FILE* f = std::fopen(text.c_str(), "w");
  std::fputs("not an image", f);
  std::fclose(f);
  EXPECT_FALSE(ReadRgbImage(text).ok());
}

// A label PNG of only its header, claiming 20000x20000 pixels: refused from the header, before 400 MB of rows.
TEST(ImageIo, OversizedLabelIsRefusedFromItsHeader) {
  const std::string path = TempPath("bomb.png");
  std::FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, file);
  png_set_IHDR(png, info, 20000, 20000, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_destroy_write_struct(&png, &info);
  std::fclose(file);
  const absl::StatusOr<at::Tensor> labels = ReadIndexPng(path);
  EXPECT_EQ(labels.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(labels.status().message(),
            "label file " + path + ": 20000x20000 pixels, more than the 268435456 (2^28) one image may have");
  const absl::StatusOr<at::Tensor> image = ReadRgbImage(path);
  EXPECT_EQ(image.status().code(), absl::StatusCode::kResourceExhausted) << image.status();
}

// A header may state up to 2^32 - 1 per side: the product must not overflow into an accepted size (found by
// image_decode_fuzzer under UBSan: 4109694196 x 4109694196).
TEST(ImageIo, PixelCapHoldsForSidesWhoseProductOverflows) {
  for (const ImageSize size : {ImageSize{4109694196, 4109694196}, ImageSize{int64_t{1} << 40, 1},
                               ImageSize{1, int64_t{1} << 62}, ImageSize{-1, 5}}) {
    const absl::Status s = CheckImagePixels("x.png", "image file", size);
    EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << size.width << "x" << size.height;
  }
  EXPECT_TRUE(CheckImagePixels("x.png", "image file", {16384, 16384}).ok());
  EXPECT_FALSE(CheckImagePixels("x.png", "image file", {16384, 16385}).ok());
  EXPECT_TRUE(CheckImagePixels("x.png", "image file", {0, 7}).ok());
}

// OpenCV reads "6#123456789" as width 6 and height 123456789 (the '#' ends the number, the comment's digits follow);
// the header reader refuses such a file rather than vouch for a size the decoder would not use.
TEST(ImageIo, PnmCommentGluedToANumberIsRefused) {
  const std::string path = TempPath("glued.ppm");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fputs("P6 6#123456789\n7 255\n", f);
  std::fclose(f);
  const absl::StatusOr<std::optional<ImageSize>> size = ReadImageSize(path);
  EXPECT_EQ(size.status().code(), absl::StatusCode::kDataLoss) << size.status();
  EXPECT_EQ(size.status().message(), "image file " + path +
                                         ": PNM header with a comment right after a number, which decoders read "
                                         "differently");
  EXPECT_FALSE(ReadRgbImage(path).ok());
}

TEST(ImageIo, HeaderSizesOfPngJpegAndPnm) {
  const std::string png = TempPath("size.png"), jpg = TempPath("size.jpg"), ppm = TempPath("size.ppm");
  ASSERT_TRUE(WriteIndexPng(png, at::zeros({6, 5}, at::kByte), nullptr).ok());
  ASSERT_TRUE(WriteRgbImage(jpg, at::zeros({7, 9, 3}, at::kByte)).ok());
  std::FILE* f = std::fopen(ppm.c_str(), "wb");
  std::fputs("P6\n# a comment\n3 2\n255\n", f);
  std::fwrite("012345678901234567", 1, 18, f);
  std::fclose(f);
  for (const auto& [path, width, height] : {std::make_tuple(png, 5, 6), std::make_tuple(jpg, 9, 7),
                                            std::make_tuple(ppm, 3, 2)}) {
    absl::StatusOr<std::optional<ImageSize>> size = ReadImageSize(path);
    ASSERT_TRUE(size.ok() && size->has_value()) << path;
    EXPECT_EQ((*size)->width, width) << path;
    EXPECT_EQ((*size)->height, height) << path;
  }
  EXPECT_EQ(ReadRgbImage(ppm)->size(1), 3);
}

TEST(ImageIo, ColourImagesComeBackAsRgb) {
  at::manual_seed(0);
  at::Tensor rgb = at::zeros({16, 24, 3}, at::kByte);
  rgb.select(2, 0).fill_(200);  // red
  rgb.select(2, 2).fill_(30);
  const std::string png = TempPath("colour.png");
  ASSERT_TRUE(WriteRgbImage(png, rgb).ok());
  const absl::StatusOr<at::Tensor> lossless = ReadRgbImage(png);
  ASSERT_TRUE(lossless.ok());
  EXPECT_TRUE(at::equal(*lossless, rgb));
  const std::string jpg = TempPath("colour.jpg");
  ASSERT_TRUE(WriteRgbImage(jpg, rgb).ok());
  const absl::StatusOr<at::Tensor> lossy = ReadRgbImage(jpg);
  ASSERT_TRUE(lossy.ok());
  EXPECT_EQ(lossy->sizes(), rgb.sizes());
  EXPECT_LT((lossy->to(at::kFloat) - rgb.to(at::kFloat)).abs().mean().item<float>(), 3.0f);
}

TEST(ImageIo, VocPaletteMatchesVocColours) {
  const auto& p = VocPalette();
  EXPECT_EQ(p[0], (std::array<uint8_t, 3>{0, 0, 0}));
  EXPECT_EQ(p[1], (std::array<uint8_t, 3>{128, 0, 0}));
  EXPECT_EQ(p[15], (std::array<uint8_t, 3>{192, 128, 128}));
  EXPECT_EQ(p[20], (std::array<uint8_t, 3>{0, 64, 128}));
  EXPECT_EQ(p[255], (std::array<uint8_t, 3>{224, 224, 192}));
}

}  // namespace
}  // namespace zegclip::data
