#include "zegclip/model/sliding_window.h"

#include <gtest/gtest.h>

namespace zegclip::model {
namespace {

TEST(SlidingWindow, PositionIndependentModelGivesTheWholeImageAnswer) {
  // A per-pixel model: overlapping windows agree, so averaging must reproduce the whole-image result exactly.
  at::Tensor images = at::rand({2, 3, 37, 53});
  auto pixelwise = [](const at::Tensor& x) { return at::cat({x.sum(1, true), x.mean(1, true) * 2}, 1); };
  at::Tensor slid = SlidingWindowLogits(images, 16, 10, 2, pixelwise);
  EXPECT_TRUE(at::allclose(slid, pixelwise(images), 1e-5, 1e-6));
}

TEST(SlidingWindow, OverlapCountsMatchMmsegGrid) {
  // Each window adds 1 everywhere; the result divided by the count is 1, and the number of calls is the mmseg grid:
  // H=683, crop 512, stride 426 → 2 rows; W=512 → 1 column.
  int calls = 0;
  auto ones = [&](const at::Tensor& x) {
    ++calls;
    EXPECT_EQ(x.size(2), 512);
    EXPECT_EQ(x.size(3), 512);
    return at::ones({x.size(0), 1, x.size(2), x.size(3)});
  };
  at::Tensor out = SlidingWindowLogits(at::zeros({1, 3, 683, 512}), 512, 426, 1, ones);
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(at::allclose(out, at::ones_like(out)));
}

TEST(SlidingWindow, SmallImagesArePaddedToTheCrop) {
  at::Tensor images = at::rand({1, 3, 20, 12});
  auto check_size = [](const at::Tensor& x) {
    EXPECT_EQ(x.size(2), 32);
    EXPECT_EQ(x.size(3), 32);
    return x.slice(1, 0, 1) * 3;
  };
  at::Tensor out = SlidingWindowLogits(images, 32, 16, 1, check_size);
  EXPECT_EQ(out.sizes(), (at::IntArrayRef{1, 1, 20, 12}));
  EXPECT_TRUE(at::allclose(out, images.slice(1, 0, 1) * 3));
}

TEST(SlidingWindow, DistinctWindowsAreAveraged) {
  // A model that returns the window's x-offset marker: columns covered by two windows get the mean of both.
  at::Tensor images = at::arange(12, at::kFloat).view({1, 1, 1, 12}).expand({1, 3, 8, 12}).contiguous();
  auto first_column = [](const at::Tensor& x) {
    return x.slice(1, 0, 1).slice(3, 0, 1).expand({x.size(0), 1, x.size(2), x.size(3)}).contiguous();
  };
  // crop 8, stride 4 over width 12 → windows at x=0 and x=4; columns 4..7 overlap → (0 + 4) / 2 = 2.
  at::Tensor out = SlidingWindowLogits(images, 8, 4, 1, first_column);
  EXPECT_FLOAT_EQ(out[0][0][0][0].item<float>(), 0);
  EXPECT_FLOAT_EQ(out[0][0][0][5].item<float>(), 2);
  EXPECT_FLOAT_EQ(out[0][0][0][11].item<float>(), 4);
}

}  // namespace
}  // namespace zegclip::model
