// Checks image_ops.h against OpenCV itself on random images (built only where OpenCV is: ZEGCLIP_WITH_OPENCV).
#include "data/image_ops.h"

#include <cstdio>

#include "gtest/gtest.h"

#ifdef ZEGCLIP_WITH_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace zegclip::data {
namespace {

cv::Mat Wrap(const at::Tensor& t) {
  const int channels = t.dim() == 3 ? static_cast<int>(t.size(2)) : 1;
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_8UC(channels), t.data_ptr<uint8_t>());
}

// Largest absolute difference and the number of differing elements.
std::pair<int, int64_t> Compare(const at::Tensor& ours, const cv::Mat& theirs) {
  const at::Tensor ref = at::from_blob(theirs.data, ours.sizes(), at::kByte).to(at::kInt);
  const at::Tensor diff = (ours.to(at::kInt) - ref).abs();
  return {diff.max().item<int>(), diff.gt(0).sum().item<int64_t>()};
}

TEST(ImageOpsVsOpenCV, BilinearResizeMatchesWithinOneLevel) {
  at::manual_seed(0);
  const std::vector<std::array<int64_t, 4>> cases = {
      {37, 53, 74, 106}, {37, 53, 19, 27}, {100, 80, 50, 40}, {64, 64, 512, 512}, {500, 375, 683, 512},
      {333, 500, 256, 384}, {16, 16, 7, 11}, {1, 9, 4, 3}};
  for (const auto& [h, w, oh, ow] : cases) {
    for (int64_t c : {1, 3}) {
      const at::Tensor img = at::randint(0, 256, {h, w, c}, at::kByte);
      cv::Mat ref;
      cv::resize(Wrap(img), ref, cv::Size(static_cast<int>(ow), static_cast<int>(oh)), 0, 0, cv::INTER_LINEAR);
      const at::Tensor ours = ResizeBilinear(img, oh, ow);
      const auto [max_diff, count] = Compare(ours, ref);
      SCOPED_TRACE(testing::Message() << h << "x" << w << "->" << oh << "x" << ow << " c" << c);
      std::printf("bilinear %ldx%ld->%ldx%ld c%ld: %ld of %ld values differ (max %d)\n", h, w, oh, ow, c, count,
                  ours.numel(), max_diff);
      EXPECT_LE(max_diff, 1);
      EXPECT_LE(count, ours.numel() / 100 + 1);
    }
  }
}

TEST(ImageOpsVsOpenCV, NearestResizeMatchesExactly) {
  at::manual_seed(1);
  const std::vector<std::array<int64_t, 4>> cases = {
      {37, 53, 74, 106}, {37, 53, 19, 27}, {500, 375, 683, 512}, {333, 500, 256, 384}, {7, 3, 100, 1}};
  for (const auto& [h, w, oh, ow] : cases) {
    const at::Tensor label = at::randint(0, 256, {h, w}, at::kByte);
    cv::Mat ref;
    cv::resize(Wrap(label), ref, cv::Size(static_cast<int>(ow), static_cast<int>(oh)), 0, 0, cv::INTER_NEAREST);
    const auto [max_diff, count] = Compare(ResizeNearest(label, oh, ow), ref);
    EXPECT_EQ(max_diff, 0) << h << "x" << w << "->" << oh << "x" << ow;
  }
}

TEST(ImageOpsVsOpenCV, HsvConversionsMatch) {
  at::manual_seed(2);
  const at::Tensor rgb = at::randint(0, 256, {64, 97, 3}, at::kByte);
  cv::Mat hsv_ref, rgb_ref;
  cv::cvtColor(Wrap(rgb), hsv_ref, cv::COLOR_RGB2HSV);
  const at::Tensor hsv = RgbToHsv(rgb);
  EXPECT_EQ(Compare(hsv, hsv_ref).first, 0);
  // Every valid HSV triple (H < 180) through HsvToRgb.
  at::Tensor all = at::empty({180, 256 * 16, 3}, at::kByte);
  auto a = all.accessor<uint8_t, 3>();
  for (int h = 0; h < 180; ++h) {
    for (int i = 0; i < 256 * 16; ++i) a[h][i][0] = h, a[h][i][1] = (i * 7) % 256, a[h][i][2] = (i * 13 + h) % 256;
  }
  cv::cvtColor(Wrap(all), rgb_ref, cv::COLOR_HSV2RGB);
  const auto [max_diff, count] = Compare(HsvToRgb(all), rgb_ref);
  std::printf("hsv2rgb: %ld of %ld values differ (max %d)\n", count, all.numel(), max_diff);
  EXPECT_LE(max_diff, 1);
  EXPECT_LE(count, all.numel() / 1000);
}

}  // namespace
}  // namespace zegclip::data
#else
TEST(ImageOpsVsOpenCV, SkippedWithoutOpenCV) { GTEST_SKIP() << "built without OpenCV"; }
#endif
