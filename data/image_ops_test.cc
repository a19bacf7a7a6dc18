#include "data/image_ops.h"

#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

at::Tensor Bytes(std::vector<int64_t> values, std::vector<int64_t> shape) {
  return at::tensor(values, at::kLong).to(at::kByte).reshape(shape);
}

std::vector<int64_t> Values(const at::Tensor& t) {
  const at::Tensor flat = t.to(at::kLong).flatten().contiguous();
  return std::vector<int64_t>(flat.data_ptr<int64_t>(), flat.data_ptr<int64_t>() + flat.numel());
}

TEST(ImageOps, BilinearUpsampleByTwoUsesHalfPixelCentres) {
  // src x = (dst + 0.5) / 2 - 0.5: dst 0 -> -0.25 (border), 1 -> 0.25, 2 -> 0.75, 3 -> 1.25 ... last -> border.
  const at::Tensor row = Bytes({0, 100, 200}, {1, 3});
  EXPECT_EQ(Values(ResizeBilinear(row, 1, 6)), (std::vector<int64_t>{0, 25, 75, 125, 175, 200}));
}

TEST(ImageOps, BilinearDownsampleByTwoAveragesBlocks) {
  const at::Tensor img = Bytes({10, 20, 30, 40, 50, 60, 70, 80, 1, 2, 3, 4, 5, 6, 7, 9}, {4, 4});
  // (10+20+50+60)/4 = 35, (30+40+70+80)/4 = 55, (1+2+5+6)/4 = 3.5 -> 4 (adds 2, shifts 2), (3+4+7+9)/4 = 5.75 -> 6.
  EXPECT_EQ(Values(ResizeBilinear(img, 2, 2)), (std::vector<int64_t>{35, 55, 4, 6}));
}

TEST(ImageOps, BilinearKeepsChannelsApartAndConstantsConstant) {
  at::Tensor img = at::empty({5, 7, 3}, at::kByte);
  img.select(2, 0).fill_(10);
  img.select(2, 1).fill_(200);
  img.select(2, 2).fill_(255);
  const at::Tensor out = ResizeBilinear(img, 11, 3);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{11, 3, 3}));
  EXPECT_TRUE(out.select(2, 0).eq(10).all().item<bool>());
  EXPECT_TRUE(out.select(2, 1).eq(200).all().item<bool>());
  EXPECT_TRUE(out.select(2, 2).eq(255).all().item<bool>());
  // Same size: identity.
  const at::Tensor noise = at::randint(0, 256, {6, 9, 3}, at::kByte);
  EXPECT_TRUE(at::equal(ResizeBilinear(noise, 6, 9), noise));
}

TEST(ImageOps, NearestPicksFloorOfScaledCoordinate) {
  const at::Tensor row = Bytes({1, 2, 3, 4, 5}, {1, 5});
  // x * 5/2: 0 -> 0, 1 -> 2.5 -> 2.
  EXPECT_EQ(Values(ResizeNearest(row, 1, 2)), (std::vector<int64_t>{1, 3}));
  // x * 5/8: 0,0.625,1.25,1.875,2.5,3.125,3.75,4.375.
  EXPECT_EQ(Values(ResizeNearest(row, 1, 8)), (std::vector<int64_t>{1, 1, 2, 2, 3, 4, 4, 5}));
  EXPECT_EQ(ResizeNearest(row, 3, 8).sizes(), (std::vector<int64_t>{3, 8}));
}

TEST(ImageOps, HsvOfPrimaryColours) {
  const at::Tensor rgb = Bytes({255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 128, 128, 128, 0, 0, 0, 255, 128, 0},
                               {1, 7, 3});
  // OpenCV's 8-bit HSV: H = degrees / 2, S and V in [0, 255].
  EXPECT_EQ(Values(RgbToHsv(rgb)),
            (std::vector<int64_t>{0, 255, 255, 60, 255, 255, 120, 255, 255, 30, 255, 255, 0, 0, 128, 0, 0, 0,
                                  15, 255, 255}));
  // Back to RGB: exact except orange's green, 127.5 truncated to 127 (OpenCV's vectorised path truncates).
  std::vector<int64_t> back = Values(rgb);
  back[19] = 127;
  EXPECT_EQ(Values(HsvToRgb(RgbToHsv(rgb))), back);
}

TEST(ImageOps, HsvRoundTripIsNearlyLossless) {
  at::manual_seed(0);
  const at::Tensor rgb = at::randint(0, 256, {50, 50, 3}, at::kByte);
  const at::Tensor back = HsvToRgb(RgbToHsv(rgb));
  // 8-bit H (2-degree steps) and S lose a little; never much.
  EXPECT_LE((back.to(at::kInt) - rgb.to(at::kInt)).abs().max().item<int>(), 6);
  EXPECT_LT((back.to(at::kFloat) - rgb.to(at::kFloat)).abs().mean().item<float>(), 1.0f);
}

}  // namespace
}  // namespace zegclip::data
