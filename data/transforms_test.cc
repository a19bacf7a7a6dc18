#include "data/transforms.h"

#include <cmath>
#include <set>

#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

Sample RandomSample(int64_t h, int64_t w, int64_t classes, uint64_t seed) {
  at::manual_seed(seed);
  return {at::randint(0, 256, {h, w, 3}, at::kByte), at::randint(0, classes, {h, w}, at::kByte), "cap", "s1",
          "key"};
}

TransformOptions Plain() {
  TransformOptions o;
  o.random_resize = false;
  o.flip_prob = 0;
  o.photometric = false;
  return o;
}

using Size = std::pair<int64_t, int64_t>;

TEST(Transforms, RescaleSizeFollowsMmcv) {
  // VOC's 375x500 to (2048, 512): factor min(2048/500, 512/375) = 1.3653 -> 512 x int(682.67 + 0.5).
  EXPECT_EQ(RescaleSize(375, 500, 2048, 512), Size(512, 683));
  // A panorama is bounded by the long side: factor 2048/1000.
  EXPECT_EQ(RescaleSize(100, 1000, 2048, 512), Size(205, 2048));
  // The order of the two scale numbers does not matter (mmcv takes max/min).
  EXPECT_EQ(RescaleSize(375, 500, 512, 2048), RescaleSize(375, 500, 2048, 512));
  EXPECT_EQ(RescaleSize(64, 64, 64, 64), Size(64, 64));
}

TEST(Transforms, MinSizeGivesEveryTestImageAShortSideOf512AsMmseg) {
  // A 6:1 panorama, 100 x 600: without min_size the long side caps it at 2048 (factor 3.41, short side 341, so a
  // 512 window would be zero-padded); mmseg's min_size=512 scales the short side to 512 and lets the long side follow.
  EXPECT_EQ(RescaleSize(100, 600, 2048, 512), Size(341, 2048));
  EXPECT_EQ(RescaleSizeWithMinSize(100, 600, 2048, 512, 512), Size(512, 3072));
  EXPECT_EQ(RescaleSizeWithMinSize(600, 100, 2048, 512, 512), Size(3072, 512));  // portrait: h > w branch
  // Ordinary VOC shapes are the same either way.
  EXPECT_EQ(RescaleSizeWithMinSize(375, 500, 2048, 512, 512), Size(512, 683));
  EXPECT_EQ(RescaleSizeWithMinSize(500, 375, 2048, 512, 512), Size(683, 512));
  EXPECT_EQ(RescaleSizeWithMinSize(512, 512, 2048, 512, 512), Size(512, 512));
  // A larger min_size wins over the scale's short side; 0 means none.
  EXPECT_EQ(RescaleSizeWithMinSize(375, 500, 2048, 512, 600), Size(600, 800));
  EXPECT_EQ(RescaleSizeWithMinSize(100, 600, 2048, 512, 0), RescaleSize(100, 600, 2048, 512));
  // Through the test pipeline.
  const Sample wide = RandomSample(100, 600, 6, 9);
  SampleRng rng(0);
  const auto out = TestPipeline(TransformOptions())(wide, rng);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->image.sizes(), (std::vector<int64_t>{3, 512, 3072}));
}

TEST(Transforms, RandomResizeUsesTheRatioTimesTheScale) {
  TransformOptions o;
  o.ratio_min = o.ratio_max = 1.5;  // scale (3072, 768): factor min(3072/500, 768/375) = 2.048
  SampleRng rng(0);
  const Sample out = RandomResize(RandomSample(375, 500, 5, 0), o, rng);
  EXPECT_EQ(out.image.sizes(), (std::vector<int64_t>{768, 1024, 3}));
  EXPECT_EQ(out.label.sizes(), (std::vector<int64_t>{768, 1024}));
  // Ratios drawn from [0.5, 2): short side between 256 and 1024.
  TransformOptions d;
  for (uint64_t k = 0; k < 50; ++k) {
    SampleRng r(k);
    const int64_t short_side = RandomResize(RandomSample(30, 40, 5, k), d, r).image.size(0);
    EXPECT_GE(short_side, 256);
    EXPECT_LE(short_side, 1024);
  }
}

TEST(Transforms, SmallImageIsPaddedToTheCropWithZeroAnd255) {
  TransformOptions o = Plain();
  o.crop_height = o.crop_width = 64;
  const Sample in = RandomSample(30, 50, 3, 1);
  SampleRng rng(0);
  const absl::StatusOr<TransformedSample> out = TrainPipeline(o)(in, rng);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->image.sizes(), (std::vector<int64_t>{3, 64, 64}));
  ASSERT_EQ(out->label.sizes(), (std::vector<int64_t>{64, 64}));
  EXPECT_EQ(out->label.scalar_type(), at::kLong);
  EXPECT_TRUE(at::allclose(out->image.slice(1, 0, 30).slice(2, 0, 50), NormalizeImage(in.image, o.mean, o.std)));
  EXPECT_TRUE(at::equal(out->label.slice(0, 0, 30).slice(1, 0, 50), in.label.to(at::kLong)));
  EXPECT_EQ(out->image.slice(1, 30).abs().sum().item<float>(), 0.f);
  EXPECT_EQ(out->image.slice(2, 50).abs().sum().item<float>(), 0.f);
  EXPECT_TRUE(out->label.slice(0, 30).eq(255).all().item<bool>());
  EXPECT_TRUE(out->label.slice(1, 50).eq(255).all().item<bool>());
  EXPECT_EQ(out->caption, "cap");
  EXPECT_EQ(out->id, "s1");
  EXPECT_EQ(out->caption_key, "key");
}

TEST(Transforms, CropIsAWindowOfTheInput) {
  const Sample in = RandomSample(100, 120, 4, 2);
  SampleRng rng(5);
  const CropBox box = ChooseCrop(in.label, 40, 50, 1.0, rng);
  EXPECT_EQ(box.height, 40);
  EXPECT_EQ(box.width, 50);
  EXPECT_LE(box.y0, 60);
  EXPECT_LE(box.x0, 70);
  const Sample out = CropSample(in, box);
  EXPECT_TRUE(at::equal(out.image, in.image.slice(0, box.y0, box.y0 + 40).slice(1, box.x0, box.x0 + 50)));
  EXPECT_TRUE(at::equal(out.label, in.label.slice(0, box.y0, box.y0 + 40).slice(1, box.x0, box.x0 + 50)));
}

// Naive reference of mmseg's acceptance test, with torch's bincount.
bool Acceptable(const at::Tensor& label, const CropBox& b, double ratio) {
  at::Tensor crop = label.slice(0, b.y0, b.y0 + b.height).slice(1, b.x0, b.x0 + b.width).flatten().to(at::kLong);
  at::Tensor counts = at::bincount(crop, {}, 256).slice(0, 0, 255);
  counts = counts.index({counts.gt(0)});
  return counts.numel() > 1 && counts.max().item<double>() / counts.sum().item<double>() < ratio;
}

TEST(Transforms, CatMaxRatioRetriesUntilNoClassDominates) {
  // Columns 0-89 class 1, 90-99 class 2: a 20-wide crop (x0 in 0..80) is acceptable only for x0 in 76..80, where
  // neither class reaches 15 of its 20 columns: p = 5/81 per box.
  at::Tensor label = at::ones({20, 100}, at::kByte);
  label.slice(1, 90).fill_(2);
  int acceptable = 0, acceptable_without = 0;
  const int trials = 2000;
  for (int k = 0; k < trials; ++k) {
    SampleRng rng(k, 0, 0), plain(k, 0, 0);
    acceptable += Acceptable(label, ChooseCrop(label, 20, 20, 0.75, rng), 0.75);
    acceptable_without += Acceptable(label, ChooseCrop(label, 20, 20, 1.0, plain), 0.75);
  }
  // 10 checked boxes: 1 - (76/81)^10 = 0.471 accepted, plus the unchecked 11th box right 5/81 of the rest: 0.504.
  const double p = 5.0 / 81, miss = std::pow(1 - p, 10);
  EXPECT_NEAR(acceptable / double(trials), 1 - miss + miss * p, 0.035);
  EXPECT_NEAR(acceptable_without / double(trials), p, 0.02);
}

TEST(Transforms, CatMaxRatioIgnoresIgnoredPixels) {
  // 80 % ignore, 10 % class 3, 10 % class 4 everywhere: the first box is always acceptable.
  at::Tensor label = at::full({50, 50}, 255, at::kByte);
  for (int64_t x = 0; x < 50; x += 10) label.slice(1, x, x + 1).fill_(3), label.slice(1, x + 5, x + 6).fill_(4);
  for (int k = 0; k < 50; ++k) {
    SampleRng a(k), b(k);
    const CropBox checked = ChooseCrop(label, 20, 20, 0.75, a), unchecked = ChooseCrop(label, 20, 20, 1.0, b);
    EXPECT_EQ(checked.y0, unchecked.y0);
    EXPECT_EQ(checked.x0, unchecked.x0);
  }
  // Only one class besides ignore: never acceptable, so the 11th box is used -- still a valid window.
  at::Tensor single = at::full({50, 50}, 255, at::kByte);
  single.slice(0, 0, 25).fill_(7);
  SampleRng rng(1);
  const CropBox box = ChooseCrop(single, 20, 20, 0.75, rng);
  EXPECT_LE(box.y0 + box.height, 50);
  EXPECT_LE(box.x0 + box.width, 50);
}

TEST(Transforms, FlipIsExact) {
  const Sample in = RandomSample(7, 9, 3, 3);
  const Sample out = FlipHorizontal(in);
  auto a = in.image.accessor<uint8_t, 3>();
  auto b = out.image.accessor<uint8_t, 3>();
  auto la = in.label.accessor<uint8_t, 2>();
  auto lb = out.label.accessor<uint8_t, 2>();
  for (int y = 0; y < 7; ++y) {
    for (int x = 0; x < 9; ++x) {
      for (int c = 0; c < 3; ++c) ASSERT_EQ(b[y][x][c], a[y][8 - x][c]);
      ASSERT_EQ(lb[y][x], la[y][8 - x]);
    }
  }
  TransformOptions o = Plain();
  o.crop_height = o.crop_width = 0;
  o.flip_prob = 1.0;
  SampleRng rng(0);
  const auto flipped = TrainPipeline(o)(in, rng);
  ASSERT_TRUE(flipped.ok());
  EXPECT_TRUE(at::equal(flipped->label, out.label.to(at::kLong)));
}

TEST(Transforms, NormaliseUsesRgbMeanAndStd) {
  at::Tensor px = at::tensor({255, 0, 128}, at::kInt).to(at::kByte).view({1, 1, 3});
  const at::Tensor out = NormalizeImage(px, TransformOptions().mean, TransformOptions().std);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{3, 1, 1}));
  EXPECT_NEAR(out[0][0][0].item<float>(), (255 - 123.675) / 58.395, 1e-5);
  EXPECT_NEAR(out[1][0][0].item<float>(), (0 - 116.28) / 57.12, 1e-5);
  EXPECT_NEAR(out[2][0][0].item<float>(), (128 - 103.53) / 57.375, 1e-5);
}

TEST(Transforms, PhotometricDistortionOnGreyStaysGreyWithinTheRanges) {
  // Grey has no saturation, so only brightness (+-32) and contrast (x0.5-1.5) act, in either order.
  const at::Tensor grey = at::full({4, 4, 3}, 128, at::kByte);
  TransformOptions o;
  std::set<int> values;
  int unchanged = 0;
  for (int k = 0; k < 400; ++k) {
    SampleRng rng(k, 1, 2);
    const at::Tensor out = PhotometricDistortion(grey, o, rng);
    const int v = out[0][0][0].item<uint8_t>();
    ASSERT_TRUE(out.eq(v).all().item<bool>()) << "not grey or not constant";
    EXPECT_GE(v, (128 - 32) / 2 - 1);
    EXPECT_LE(v, (128 + 32) * 3 / 2);
    values.insert(v);
    unchanged += v == 128 || v == 127;  // 127: the HSV round trip truncates
  }
  EXPECT_GT(values.size(), 50u);
  // Neither brightness nor contrast applied: 1/4 of the time.
  EXPECT_NEAR(unchanged / 400.0, 0.25, 0.08);
}

TEST(Transforms, PhotometricDistortionChangesColourSometimes) {
  const Sample in = RandomSample(16, 16, 2, 4);
  TransformOptions o;
  int identical = 0;
  for (int k = 0; k < 400; ++k) {
    SampleRng rng(k);
    identical += at::equal(PhotometricDistortion(in.image, o, rng), in.image);
  }
  // Only when all four steps are skipped: 1/16.
  EXPECT_NEAR(identical / 400.0, 1.0 / 16, 0.035);
}

TEST(Transforms, TrainPipelineIsDeterministicPerSeedEpochIndex) {
  const Sample in = RandomSample(375, 500, 6, 5);
  TrainPipeline train{TransformOptions()};
  SampleRng a(0, 3, 17), b(0, 3, 17), c(0, 4, 17);
  const auto x = train(in, a), y = train(in, b), z = train(in, c);
  ASSERT_TRUE(x.ok() && y.ok() && z.ok());
  EXPECT_TRUE(at::equal(x->image, y->image));
  EXPECT_TRUE(at::equal(x->label, y->label));
  EXPECT_FALSE(at::equal(x->image, z->image));
  EXPECT_EQ(x->image.sizes(), (std::vector<int64_t>{3, 512, 512}));
  EXPECT_EQ(x->label.sizes(), (std::vector<int64_t>{512, 512}));
  // Labels only move (nearest resize, crop, flip, pad): values stay in the input's set plus 255.
  const at::Tensor values = std::get<0>(at::_unique(x->label));
  EXPECT_TRUE(values.lt(6).logical_or(values.eq(255)).all().item<bool>());
}

TEST(Transforms, TestPipelineResizesTheImageOnly) {
  const Sample in = RandomSample(375, 500, 6, 6);
  SampleRng rng(0);
  const auto out = TestPipeline(TransformOptions())(in, rng);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->image.sizes(), (std::vector<int64_t>{3, 512, 683}));
  EXPECT_TRUE(at::equal(out->label, in.label.to(at::kLong)));
  TransformOptions same;
  same.test_short_side = same.test_long_side_max = 64;
  same.test_min_size = 0;
  const Sample small = RandomSample(64, 64, 6, 7);
  const auto kept = TestPipeline(same)(small, rng);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(at::allclose(kept->image, NormalizeImage(small.image, same.mean, same.std)));
}

TEST(Transforms, MalformedSamplesAreRejectedByName) {
  Sample bad = RandomSample(10, 10, 2, 8);
  bad.id = "2007_000032";
  bad.label = at::zeros({10, 11}, at::kByte);
  SampleRng rng(0);
  const auto out = TrainPipeline(TransformOptions())(bad, rng);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("2007_000032"), std::string::npos) << out.status();
  EXPECT_NE(out.status().message().find("(10, 11)"), std::string::npos) << out.status();
  bad.label = at::zeros({10, 10}, at::kByte);
  bad.image = at::zeros({10, 10, 3}, at::kFloat);
  EXPECT_FALSE(TestPipeline(TransformOptions())(bad, rng).ok());
}

}  // namespace
}  // namespace zegclip::data
