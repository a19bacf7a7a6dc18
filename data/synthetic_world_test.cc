#include "data/synthetic_world.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "data/class_catalog.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

constexpr int64_t kPlain = 0, kHorizontal = 1, kVertical = 2, kDiagonal = 3, kDotted = 4, kChecker = 5;

std::set<int64_t> LabelSet(const at::Tensor& label) {
  std::set<int64_t> ids;
  const uint8_t* p = label.data_ptr<uint8_t>();
  for (int64_t i = 0; i < label.numel(); ++i) {
    if (p[i] != kIgnoreLabel) ids.insert(p[i]);
  }
  return ids;
}

TEST(SyntheticWorld, ClassNamesFollowTheCatalog) {
  EXPECT_EQ(SyntheticClassCount(), 36);
  EXPECT_EQ(SyntheticClassName(SyntheticClassId(0, 4)), "red dotted");
  EXPECT_EQ(SyntheticClassName(12), "blue plain");
  EXPECT_EQ(SyntheticClassNames().back(), "orange checkered");
  EXPECT_EQ(SyntheticCaption({4}), "a red dotted object.");
  EXPECT_EQ(SyntheticCaption({4, 12}), "a red dotted object and a blue plain object.");
  EXPECT_EQ(SyntheticCaption({4, 12, 13}),
            "a red dotted object, a blue plain object and a blue horizontal object.");
}

TEST(SyntheticWorld, DeterministicFromSeedSplitIndex) {
  SyntheticWorldOptions options;
  options.seed = 7;
  const Sample a = RenderSyntheticScene(options, "train", 5).sample;
  const Sample b = RenderSyntheticScene(options, "train", 5).sample;
  EXPECT_TRUE(at::equal(a.image, b.image));
  EXPECT_TRUE(at::equal(a.label, b.label));
  EXPECT_EQ(a.caption, b.caption);
  EXPECT_EQ(a.id, "train/5");
  EXPECT_EQ(a.image.sizes(), (std::vector<int64_t>{64, 64, 3}));
  EXPECT_EQ(a.label.sizes(), (std::vector<int64_t>{64, 64}));
  EXPECT_TRUE(a.image.is_contiguous());
  EXPECT_FALSE(at::equal(a.image, RenderSyntheticScene(options, "train", 6).sample.image));
  EXPECT_FALSE(at::equal(a.image, RenderSyntheticScene(options, "val", 5).sample.image));
  options.seed = 8;
  EXPECT_FALSE(at::equal(a.image, RenderSyntheticScene(options, "train", 5).sample.image));
}

// Every labelled pixel has its class colour (light) or the dark shade where the pattern says so; the ignored
// background is grey; visible_pixels matches the label map.
TEST(SyntheticWorld, PixelsMatchTheirLabels) {
  SyntheticWorldOptions options;
  for (int64_t index = 0; index < 50; ++index) {
    const SyntheticScene scene = RenderSyntheticScene(options, "train", index);
    const uint8_t* img = scene.sample.image.data_ptr<uint8_t>();
    const uint8_t* lab = scene.sample.label.data_ptr<uint8_t>();
    std::map<int64_t, const SyntheticObject*> by_class;
    for (const SyntheticObject& o : scene.objects) by_class[o.class_id] = &o;
    std::map<int64_t, int64_t> counts;
    int64_t background = 0, grey_background = 0;
    for (int64_t y = 0; y < 64; ++y) {
      for (int64_t x = 0; x < 64; ++x) {
        const uint8_t* px = img + (y * 64 + x) * 3;
        const int64_t c = lab[y * 64 + x];
        if (c == kIgnoreLabel) {
          ++background;
          const int spread = std::max({px[0], px[1], px[2]}) - std::min({px[0], px[1], px[2]});
          grey_background += spread <= 40;
          continue;
        }
        ASSERT_TRUE(by_class.count(c)) << "label " << c << " not among the scene's objects";
        ++counts[c];
        const SyntheticObject& o = *by_class[c];
        const bool dark = SyntheticPatternIsDark(c % 6, x + o.phase_x, y + o.phase_y);
        const auto base = SyntheticColourRgb(c / 6);
        for (int ch = 0; ch < 3; ++ch) {
          const double expected = dark ? base[ch] * kSyntheticDarkShade : base[ch];
          ASSERT_NEAR(px[ch], expected, dark ? 13 : 21) << "image " << index << " (" << x << "," << y << ")";
        }
      }
    }
    for (const SyntheticObject& o : scene.objects) {
      EXPECT_EQ(counts[o.class_id], o.visible_pixels);
      EXPECT_GE(o.visible_pixels, kSyntheticMinVisiblePixels);
    }
    // Dropped slivers keep their colour under an ignore label; they are rare and small.
    EXPECT_GE(grey_background, background * 95 / 100) << "image " << index;
  }
}

// For each pattern, finds objects of it and checks its geometry from the pixels alone.
class PatternChecker {
 public:
  PatternChecker(const Sample& sample, int64_t class_id, int64_t colour_index)
      : sample_(sample), class_id_(class_id) {
    const auto base = SyntheticColourRgb(colour_index);
    threshold_ = (base[0] + base[1] + base[2]) * (1 + kSyntheticDarkShade) / 2;
  }
  bool In(int64_t x, int64_t y) const {
    return x >= 0 && y >= 0 && x < 64 && y < 64 && sample_.label.data_ptr<uint8_t>()[y * 64 + x] == class_id_;
  }
  bool Dark(int64_t x, int64_t y) const {
    const uint8_t* px = sample_.image.data_ptr<uint8_t>() + (y * 64 + x) * 3;
    return px[0] + px[1] + px[2] < threshold_;
  }
  // Counts pixel pairs (p, p + (dx, dy)) inside the object whose dark states are equal / differ.
  std::pair<int64_t, int64_t> Pairs(int64_t dx, int64_t dy) const {
    int64_t same = 0, differ = 0;
    for (int64_t y = 0; y < 64; ++y) {
      for (int64_t x = 0; x < 64; ++x) {
        if (!In(x, y) || !In(x + dx, y + dy)) continue;
        (Dark(x, y) == Dark(x + dx, y + dy) ? same : differ) += 1;
      }
    }
    return {same, differ};
  }
  double DarkFraction() const {
    int64_t dark = 0, all = 0;
    for (int64_t y = 0; y < 64; ++y) {
      for (int64_t x = 0; x < 64; ++x) {
        if (In(x, y)) dark += Dark(x, y), ++all;
      }
    }
    return static_cast<double>(dark) / all;
  }

 private:
  const Sample& sample_;
  int64_t class_id_;
  double threshold_;
};

TEST(SyntheticWorld, PatternsHavePeriodFour) {
  SyntheticWorldOptions options;
  options.single_object = true;
  std::map<int64_t, int> checked;
  for (int64_t index = 0; index < 200; ++index) {
    const SyntheticScene scene = RenderSyntheticScene(options, "test", index);
    ASSERT_EQ(scene.objects.size(), 1u);
    const int64_t c = scene.objects[0].class_id, pattern = c % 6;
    const PatternChecker k(scene.sample, c, c / 6);
    auto all_same = [&](int64_t dx, int64_t dy) { auto p = k.Pairs(dx, dy); return p.second == 0 && p.first > 0; };
    auto all_differ = [&](int64_t dx, int64_t dy) { auto p = k.Pairs(dx, dy); return p.first == 0 && p.second > 0; };
    SCOPED_TRACE(SyntheticClassName(c) + " in image " + std::to_string(index));
    switch (pattern) {
      case kPlain: EXPECT_EQ(k.DarkFraction(), 0.0); break;
      case kHorizontal: EXPECT_TRUE(all_same(1, 0) && all_differ(0, 2) && all_same(0, 4)); break;
      case kVertical: EXPECT_TRUE(all_same(0, 1) && all_differ(2, 0) && all_same(4, 0)); break;
      case kDiagonal: EXPECT_TRUE(all_same(1, -1) && all_differ(2, 0) && all_differ(0, 2) && all_same(4, 0)); break;
      case kDotted:
        EXPECT_TRUE(all_same(4, 0) && all_same(0, 4));
        EXPECT_NEAR(k.DarkFraction(), 0.25, 0.12);
        break;
      case kChecker:
        EXPECT_TRUE(all_differ(2, 0) && all_differ(0, 2) && all_same(2, 2) && all_same(4, 0));
        EXPECT_NEAR(k.DarkFraction(), 0.5, 0.12);
        break;
    }
    ++checked[pattern];
  }
  for (int64_t p = 0; p < 6; ++p) EXPECT_GE(checked[p], 10) << "pattern " << p;
}

TEST(SyntheticWorld, CoversEveryClassEvenly) {
  SyntheticWorldOptions options;
  std::vector<int64_t> counts(36, 0);
  std::map<int64_t, int64_t> objects_per_image;
  const int64_t images = 720;
  for (int64_t index = 0; index < images; ++index) {
    const SyntheticScene scene = RenderSyntheticScene(options, "train", index);
    for (const SyntheticObject& o : scene.objects) ++counts[o.class_id];
    ++objects_per_image[scene.objects.size()];
  }
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  for (int64_t c = 0; c < 36; ++c) {
    EXPECT_GT(counts[c], total / 36 / 2) << SyntheticClassName(c);
    EXPECT_LT(counts[c], total / 36 * 3 / 2) << SyntheticClassName(c);
  }
  // 1-3 objects drawn uniformly; occlusion only rarely removes one.
  EXPECT_EQ(objects_per_image.count(0), 0u);
  for (int64_t n = 1; n <= 3; ++n) EXPECT_GT(objects_per_image[n], images / 6) << n << " objects";
  EXPECT_EQ(objects_per_image.count(4), 0u);
}

TEST(SyntheticWorld, CaptionNamesExactlyTheLabelledClasses) {
  SyntheticWorldOptions options;
  for (int64_t index = 0; index < 100; ++index) {
    const SyntheticScene scene = RenderSyntheticScene(options, "val", index);
    const std::set<int64_t> present = LabelSet(scene.sample.label);
    EXPECT_EQ(scene.sample.caption, SyntheticCaption(std::vector<int64_t>(present.begin(), present.end())));
    for (int64_t c = 0; c < 36; ++c) {
      const bool named = scene.sample.caption.find("a " + SyntheticClassName(c) + " object") != std::string::npos;
      EXPECT_EQ(named, present.count(c) == 1) << scene.sample.caption;
    }
  }
}

TEST(SyntheticWorld, VariedCaptionsKeepPixelsAndKeyAndVary) {
  SyntheticWorldOptions canonical;
  SyntheticWorldOptions varied = canonical;
  varied.varied_caption_fraction = 1;
  std::set<std::string> captions;
  for (int64_t index = 0; index < 100; ++index) {
    const SyntheticScene a = RenderSyntheticScene(canonical, "train", index);
    const SyntheticScene b = RenderSyntheticScene(varied, "train", index);
    EXPECT_TRUE(at::equal(a.sample.image, b.sample.image));
    EXPECT_TRUE(at::equal(a.sample.label, b.sample.label));
    const std::set<int64_t> present = LabelSet(b.sample.label);
    const std::string key = SyntheticCaption(std::vector<int64_t>(present.begin(), present.end()));
    EXPECT_EQ(a.sample.caption_key, key);
    EXPECT_EQ(b.sample.caption_key, key);
    captions.insert(b.sample.caption);
    // Deterministic: the same index phrases the same way again.
    EXPECT_EQ(RenderSyntheticScene(varied, "train", index).sample.caption, b.sample.caption);
  }
  // Phrasings differ from the canonical sentence most of the time.
  int64_t canonical_phrasings = 0;
  for (int64_t index = 0; index < 100; ++index) {
    canonical_phrasings += RenderSyntheticScene(varied, "train", index).sample.caption ==
                           RenderSyntheticScene(canonical, "train", index).sample.caption;
  }
  EXPECT_LT(canonical_phrasings, 20);
  EXPECT_GT(captions.size(), 90u);
}

TEST(SyntheticWorld, VariedCaptionFractionMixesPhrasings) {
  SyntheticWorldOptions canonical, half;
  half.varied_caption_fraction = 0.5;
  int64_t varied = 0;
  for (int64_t index = 0; index < 400; ++index) {
    varied += RenderSyntheticScene(half, "train", index).sample.caption !=
              RenderSyntheticScene(canonical, "train", index).sample.caption;
  }
  // Half are drawn varied, and a few varied draws happen to come out canonical: about 46 % differ.
  EXPECT_GT(varied, 140);
  EXPECT_LT(varied, 230);
  half.varied_caption_fraction = 1.5;
  EXPECT_FALSE(ValidateSyntheticWorldOptions(half).ok());
}

TEST(SyntheticWorld, RestrictedClassesAndSingleObjectMode) {
  SyntheticWorldOptions options;
  options.classes = {3, 17, 30};
  options.max_objects = 3;
  for (int64_t index = 0; index < 40; ++index) {
    for (int64_t c : LabelSet(RenderSyntheticScene(options, "train", index).sample.label)) {
      EXPECT_TRUE(c == 3 || c == 17 || c == 30) << c;
    }
  }
  options.classes.clear();
  options.single_object = true;
  for (int64_t index = 0; index < 40; ++index) {
    const SyntheticScene scene = RenderSyntheticScene(options, "train", index);
    EXPECT_EQ(scene.objects.size(), 1u);
    EXPECT_EQ(LabelSet(scene.sample.label).size(), 1u);
  }
}

TEST(SyntheticWorld, DatasetValidatesAndServesIndices) {
  SyntheticWorldOptions options;
  EXPECT_FALSE(SyntheticWorldDataset::Create(options, "", 10).ok());
  EXPECT_FALSE(SyntheticWorldDataset::Create(options, "Train set", 10).ok());
  EXPECT_TRUE(SyntheticWorldDataset::Create(options, "pretrain", 10).ok());
  options.min_objects = 4;
  EXPECT_FALSE(SyntheticWorldDataset::Create(options, "train", 10).ok());
  options.min_objects = 1;
  options.classes = {36};
  EXPECT_FALSE(SyntheticWorldDataset::Create(options, "train", 10).ok());
  options.classes = {};
  options.max_object_size = 65;
  const auto too_big = SyntheticWorldDataset::Create(options, "train", 10);
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message().find("max_object_size"), std::string::npos);
  options.max_object_size = 38;
  auto dataset = SyntheticWorldDataset::Create(options, "val", 10);
  ASSERT_TRUE(dataset.ok());
  EXPECT_EQ((*dataset)->size(), 10);
  EXPECT_FALSE((*dataset)->Get(10).ok());
  const absl::StatusOr<Sample> s = (*dataset)->Get(3);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(at::equal(s->image, RenderSyntheticScene(options, "val", 3).sample.image));
}

uint64_t Fnv1a(uint64_t h, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

// The base world's pixels, labels and captions, in the segmenter's and the quickstart's pre-training options, hashed:
// the value was computed before the extra colours and patterns existed, so adding them changed nothing the default
// job renders (its numbers reproduce to the last digit).
TEST(SyntheticWorld, BaseWorldRendersExactlyAsBeforeTheExtraAttributes) {
  uint64_t h = 1469598103934665603ULL;
  SyntheticWorldOptions segmenter, pretrain;
  pretrain.single_object = true;
  pretrain.image_size = 32;
  pretrain.min_object_size = 20;
  pretrain.max_object_size = 32;
  pretrain.varied_caption_fraction = 0.25;
  for (const SyntheticWorldOptions* o : {&segmenter, &pretrain}) {
    for (int64_t i = 0; i < 40; ++i) {
      const Sample s = RenderSyntheticScene(*o, o == &segmenter ? "train" : "pretrain", i).sample;
      h = Fnv1a(h, s.image.data_ptr(), s.image.numel());
      h = Fnv1a(h, s.label.data_ptr(), s.label.numel());
      h = Fnv1a(h, s.caption.data(), s.caption.size());
      h = Fnv1a(h, s.caption_key.data(), s.caption_key.size());
    }
  }
  EXPECT_EQ(h, 14503182142365206623ULL);
  // Listing the base compositions in id order is the same world.
  SyntheticWorldOptions listed;
  for (int64_t c = 0; c < 36; ++c) listed.compositions.push_back(c);
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_TRUE(at::equal(RenderSyntheticScene(listed, "train", i).sample.image,
                          RenderSyntheticScene(segmenter, "train", i).sample.image));
  }
}

// Labels 0..3 of a world of 4 compositions, two with an extra colour and two with an extra pattern: every labelled
// pixel has its composition's colour and pattern, and captions and keys name compositions, not labels.
TEST(SyntheticWorld, AWorldOfCompositionsPaintsEachLabelAsItsComposition) {
  SyntheticWorldOptions options;
  options.compositions = {54, 63, 4, 37};  // cyan gridded, pink zigzag, red dotted, red zigzag
  EXPECT_EQ(SyntheticLabelCount(options), 4);
  EXPECT_EQ(SyntheticLabelNames(options),
            (std::vector<std::string>{"cyan gridded", "pink zigzag", "red dotted", "red zigzag"}));
  std::set<int64_t> labels_seen;
  for (int64_t index = 0; index < 40; ++index) {
    const SyntheticScene scene = RenderSyntheticScene(options, "train", index);
    const uint8_t* img = scene.sample.image.data_ptr<uint8_t>();
    const uint8_t* lab = scene.sample.label.data_ptr<uint8_t>();
    std::map<int64_t, const SyntheticObject*> by_label;
    std::vector<int64_t> named;
    for (const SyntheticObject& o : scene.objects) {
      by_label[o.class_id] = &o;
      named.push_back(options.compositions[o.class_id]);
      labels_seen.insert(o.class_id);
    }
    EXPECT_EQ(scene.sample.caption, SyntheticCaption(named));
    EXPECT_EQ(scene.sample.caption_key, SyntheticCaptionKey(named));
    for (int64_t p = 0; p < 64 * 64; ++p) {
      if (lab[p] == kIgnoreLabel) continue;
      ASSERT_LT(lab[p], 4);
      const SyntheticObject& o = *by_label.at(lab[p]);
      const int64_t composition = options.compositions[lab[p]];
      const bool dark =
          SyntheticPatternIsDark(SyntheticCompositionPattern(composition), p % 64 + o.phase_x, p / 64 + o.phase_y);
      const auto base = SyntheticColourRgb(SyntheticCompositionColour(composition));
      for (int ch = 0; ch < 3; ++ch) {
        ASSERT_NEAR(img[p * 3 + ch], dark ? base[ch] * kSyntheticDarkShade : base[ch], dark ? 13 : 21);
      }
    }
  }
  EXPECT_EQ(labels_seen.size(), 4u);
}

TEST(SyntheticWorld, ExtraPatternsHaveTheirGeometry) {
  SyntheticWorldOptions options;
  options.single_object = true;
  options.compositions = {36, 37};  // red gridded, red zigzag
  int checked[2] = {0, 0};
  for (int64_t index = 0; index < 40; ++index) {
    const SyntheticScene scene = RenderSyntheticScene(options, "test", index);
    ASSERT_EQ(scene.objects.size(), 1u);
    const int64_t label = scene.objects[0].class_id;
    const PatternChecker k(scene.sample, label, 0);
    auto all_same = [&](int64_t dx, int64_t dy) { auto p = k.Pairs(dx, dy); return p.second == 0 && p.first > 0; };
    auto some_differ = [&](int64_t dx, int64_t dy) { return k.Pairs(dx, dy).second > 0; };
    if (label == 0) {  // gridded: 1-px lines every 4 px, 7 of 16 pixels dark
      EXPECT_TRUE(all_same(4, 0) && all_same(0, 4) && some_differ(1, 0) && some_differ(0, 1));
      EXPECT_NEAR(k.DarkFraction(), 7.0 / 16, 0.12);
    } else {  // zigzag: period 4 across, 8 down, and not a straight diagonal
      EXPECT_TRUE(all_same(4, 0) && all_same(0, 8) && some_differ(0, 4) && some_differ(1, -1) && some_differ(1, 1));
      EXPECT_NEAR(k.DarkFraction(), 0.5, 0.12);
    }
    ++checked[label];
  }
  EXPECT_GE(checked[0], 10);
  EXPECT_GE(checked[1], 10);
}

TEST(SyntheticWorld, CompositionsAreValidated) {
  SyntheticWorldOptions options;
  options.compositions = {3, 64};
  EXPECT_FALSE(SyntheticWorldDataset::Create(options, "train", 10).ok());
  options.compositions = {3, 40, 3};
  const auto twice = SyntheticWorldDataset::Create(options, "train", 10);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("red diagonal listed twice"), std::string::npos);
  options.compositions = {3, 40};
  options.classes = {2};  // labels are 0 and 1
  EXPECT_FALSE(SyntheticWorldDataset::Create(options, "train", 10).ok());
  options.classes = {1};
  EXPECT_TRUE(SyntheticWorldDataset::Create(options, "train", 10).ok());
}

// Distractors (red zigzag, cyan horizontal, pink dotted behind the base world's objects): every pixel they change
// was ignored background and now shows one of the image's distractors in its colour and pattern; labels, captions
// and the objects' pixels are exactly those of the world without them.
TEST(SyntheticWorld, DistractorsChangeOnlyIgnoredBackground) {
  SyntheticWorldOptions plain, with;
  with.distractors = {37, 49, 60};
  with.min_distractors = 1;
  with.max_distractors = 3;
  std::set<int64_t> compositions_drawn, counts_drawn;
  int64_t changed_total = 0;
  for (int64_t index = 0; index < 40; ++index) {
    const SyntheticScene a = RenderSyntheticScene(plain, "train", index);
    const SyntheticScene b = RenderSyntheticScene(with, "train", index);
    EXPECT_TRUE(a.distractors.empty());
    ASSERT_TRUE(at::equal(a.sample.label, b.sample.label));
    EXPECT_EQ(a.sample.caption, b.sample.caption);
    ASSERT_EQ(a.objects.size(), b.objects.size());
    counts_drawn.insert(static_cast<int64_t>(b.distractors.size()));
    int64_t visible = 0;
    for (const SyntheticDistractor& d : b.distractors) {
      compositions_drawn.insert(d.composition);
      visible += d.visible_pixels;
    }
    const uint8_t* pa = a.sample.image.data_ptr<uint8_t>();
    const uint8_t* pb = b.sample.image.data_ptr<uint8_t>();
    const uint8_t* lab = b.sample.label.data_ptr<uint8_t>();
    int64_t changed = 0;
    for (int64_t p = 0; p < 64 * 64; ++p) {
      if (pa[3 * p] == pb[3 * p] && pa[3 * p + 1] == pb[3 * p + 1] && pa[3 * p + 2] == pb[3 * p + 2]) continue;
      ++changed;
      ASSERT_EQ(lab[p], kIgnoreLabel) << "image " << index << " pixel " << p;
      bool matches_one = false;
      for (const SyntheticDistractor& d : b.distractors) {
        const bool dark = SyntheticPatternIsDark(SyntheticCompositionPattern(d.composition), p % 64 + d.phase_x,
                                                 p / 64 + d.phase_y);
        const auto base = SyntheticColourRgb(SyntheticCompositionColour(d.composition));
        bool near = true;
        for (int ch = 0; ch < 3; ++ch) {
          const double want = dark ? base[ch] * kSyntheticDarkShade : base[ch];
          near = near && std::abs(pb[3 * p + ch] - want) <= (dark ? 13 : 21);
        }
        matches_one = matches_one || near;
      }
      ASSERT_TRUE(matches_one) << "image " << index << " pixel " << p << " shows none of its distractors";
    }
    EXPECT_EQ(changed, visible) << "image " << index;
    changed_total += changed;
  }
  EXPECT_EQ(compositions_drawn, (std::set<int64_t>{37, 49, 60}));
  EXPECT_EQ(counts_drawn, (std::set<int64_t>{1, 2, 3}));
  EXPECT_GT(changed_total, 40 * 100);  // they are seen: on average over 100 pixels an image
}

TEST(SyntheticWorld, DistractorsAreValidated) {
  auto error = [](SyntheticWorldOptions options) {
    const auto created = SyntheticWorldDataset::Create(options, "train", 10);
    return created.ok() ? std::string("ok") : std::string(created.status().message());
  };
  SyntheticWorldOptions options;
  options.distractors = {37, 49};
  EXPECT_EQ(error(options), "ok");
  options.distractors = {37, 4};
  EXPECT_EQ(error(options), "synthetic world: distractor red dotted is a class of this world; a distractor must be a "
                            "composition no label paints");
  options.compositions = {0, 37};  // a world whose second class is red zigzag
  options.distractors = {4, 37};
  EXPECT_THAT(error(options), testing::HasSubstr("distractor red zigzag is a class of this world"));
  options.compositions.clear();
  options.distractors = {37, 64};
  EXPECT_EQ(error(options), "synthetic world: distractor composition id 64 out of range [0, 64)");
  options.distractors = {37, 37};
  EXPECT_EQ(error(options), "synthetic world: distractor red zigzag listed twice");
  options.distractors = {37};
  options.min_distractors = 3;
  options.max_distractors = 2;
  EXPECT_EQ(error(options), "synthetic world: need 0 <= min_distractors <= max_distractors <= 100, got 3..2");
  options.min_distractors = 0;
  options.max_distractors = 0;  // none drawn: the image is the world's without them
  EXPECT_EQ(error(options), "ok");
  EXPECT_TRUE(RenderSyntheticScene(options, "train", 3).distractors.empty());
  EXPECT_TRUE(at::equal(RenderSyntheticScene(options, "train", 3).sample.image,
                        RenderSyntheticScene(SyntheticWorldOptions{}, "train", 3).sample.image));
}

TEST(SyntheticWorld, OtherImageSizes) {
  SyntheticWorldOptions options;
  options.image_size = 96;
  const Sample s = RenderSyntheticScene(options, "train", 0).sample;
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{96, 96, 3}));
  EXPECT_FALSE(LabelSet(s.label).empty());
}

}  // namespace
}  // namespace zegclip::data
