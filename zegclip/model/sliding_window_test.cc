#include "zegclip/model/sliding_window.h"

#include <c10/util/Exception.h>
#include <gtest/gtest.h>

namespace zegclip::model {
namespace {

TEST(SlidingWindow, MmsegGridOnTheVocTestShape) {
  // 512 x 683 at crop 512, stride 426: ceil((683 - 512) / 426) + 1 = 2 columns, the second moved back to the border.
  const std::vector<Window> w = SlidingWindows(512, 683, 512, 426);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].x1, 0);
  EXPECT_EQ(w[0].x2, 512);
  EXPECT_EQ(w[1].x1, 171);
  EXPECT_EQ(w[1].x2, 683);
  for (const Window& win : w) EXPECT_EQ(win.height(), 512);
}

TEST(SlidingWindow, RowMajorAndCoveringEveryPixel) {
  const std::vector<Window> w = SlidingWindows(37, 53, 16, 10);
  // rows: ceil(21 / 10) + 1 = 4, columns: ceil(37 / 10) + 1 = 5.
  ASSERT_EQ(w.size(), 20u);
  EXPECT_EQ(w[1].y1, 0);   // second window: same row, next column
  EXPECT_EQ(w[1].x1, 10);
  EXPECT_EQ(w[5].y1, 10);  // sixth: next row
  std::vector<int> covered(37 * 53, 0);
  for (const Window& win : w) {
    EXPECT_EQ(win.height(), 16);
    EXPECT_EQ(win.width(), 16);
    for (int64_t y = win.y1; y < win.y2; ++y) {
      for (int64_t x = win.x1; x < win.x2; ++x) ++covered[y * 53 + x];
    }
  }
  for (int c : covered) EXPECT_GE(c, 1);
}

TEST(SlidingWindow, SmallImageGetsOneWindowCutToIt) {
  const std::vector<Window> w = SlidingWindows(20, 12, 32, 16);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].height(), 20);
  EXPECT_EQ(w[0].width(), 12);
}

TEST(SlidingWindow, RejectsAStrideLargerThanTheCrop) { EXPECT_THROW(SlidingWindows(64, 64, 16, 17), c10::Error); }

}  // namespace
}  // namespace zegclip::model
