#include "data/synthetic_world.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/class_catalog.h"
#include "data/sample_rng.h"

namespace zegclip::data {
namespace {

constexpr int64_t kColourCount = 8;  // class_catalog.h's SyntheticAllColours()
constexpr double kPi = 3.14159265358979323846;
// Mixed into the split's hash for the caption-phrasing stream (any constant unlike a split hash).
constexpr uint64_t kPhrasingStream = 0x9e3779b97f4a7c15ULL;
// Mixed in likewise for the distractor shapes' stream.
constexpr uint64_t kDistractorStream = 0xc2b2ae3d27d4eb4fULL;

// Saturated, well separated hues; the background is kept grey so no class colour appears there. The last two are
// the extra colours, each at least 80 away in some channel from every base colour.
constexpr std::array<std::array<uint8_t, 3>, kColourCount> kColours = {{
    {220, 40, 40},    // red
    {40, 170, 60},    // green
    {40, 90, 220},    // blue
    {230, 210, 40},   // yellow
    {150, 60, 200},   // purple
    {240, 140, 30},   // orange
    {40, 200, 210},   // cyan
    {240, 110, 180},  // pink
}};

// 0, 1, 2, 3, 3, 2, 1, 0 down 8 rows: added to x, it bends diagonal stripes into a zigzag.
int64_t ZigzagShift(int64_t y) { return (y & 4) ? 3 - (y & 3) : (y & 3); }

uint8_t Clamp8(int v) { return static_cast<uint8_t>(std::min(255, std::max(0, v))); }

struct Ellipse {
  double cx, cy, a, b, cos_t, sin_t;
};

// Grey base, a slight tint, two slow waves (period >= 16 px, so never mistaken for a 4-px pattern) and pixel noise.
void PaintBackground(SampleRng& rng, int64_t n, uint8_t* image) {
  const int grey = static_cast<int>(rng.UniformInt(70, 180));
  int tint[3];
  for (int& t : tint) t = static_cast<int>(rng.UniformInt(-12, 12));
  const double amp_x = rng.Uniform(6, 16), period_x = rng.Uniform(16, 40), phase_x = rng.Uniform(0, 2 * kPi);
  const double amp_y = rng.Uniform(6, 16), period_y = rng.Uniform(16, 40), phase_y = rng.Uniform(0, 2 * kPi);
  std::vector<int> wave_x(n), wave_y(n);
  for (int64_t i = 0; i < n; ++i) {
    wave_x[i] = static_cast<int>(std::lround(amp_x * std::sin(2 * kPi * i / period_x + phase_x)));
    wave_y[i] = static_cast<int>(std::lround(amp_y * std::sin(2 * kPi * i / period_y + phase_y)));
  }
  for (int64_t y = 0; y < n; ++y) {
    for (int64_t x = 0; x < n; ++x) {
      const uint64_t bits = rng.NextU64();
      const int level = grey + wave_x[x] + wave_y[y] + static_cast<int>(bits % 21) - 10;
      uint8_t* px = image + (y * n + x) * 3;
      for (int c = 0; c < 3; ++c) px[c] = Clamp8(level + tint[c] + static_cast<int>((bits >> (8 * (c + 1))) % 7) - 3);
    }
  }
}

// An irregular blob about `size` px across: one main ellipse (long axis 0.8-1.0 x size) and 1-2 smaller ones
// overlapping it.
std::vector<Ellipse> DrawBlob(SampleRng& rng, int64_t n, int64_t size) {
  const double half = size / 2.0, margin = size * 0.25;
  const double cx = rng.Uniform(margin, n - margin), cy = rng.Uniform(margin, n - margin);
  std::vector<Ellipse> parts;
  auto add = [&](double ex, double ey, double a, double b) {
    const double angle = rng.Uniform(0, kPi);
    parts.push_back({ex, ey, a, b, std::cos(angle), std::sin(angle)});
  };
  add(cx, cy, half * rng.Uniform(0.8, 1.0), half * rng.Uniform(0.55, 0.9));
  const int64_t extra = rng.UniformInt(1, 2);
  for (int64_t i = 0; i < extra; ++i) {
    const double r = size * rng.Uniform(0.15, 0.35), phi = rng.Uniform(0, 2 * kPi);
    add(cx + r * std::cos(phi), cy + r * std::sin(phi), half * rng.Uniform(0.3, 0.55), half * rng.Uniform(0.3, 0.55));
  }
  return parts;
}

// Writes `id` into owner[] at every pixel (centre) inside one of the ellipses; later objects overwrite earlier ones.
void Rasterise(const std::vector<Ellipse>& parts, int64_t n, int8_t id, int8_t* owner) {
  for (const Ellipse& e : parts) {
    const double r = std::max(e.a, e.b);
    const int64_t x0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(e.cx - r)));
    const int64_t x1 = std::min<int64_t>(n - 1, static_cast<int64_t>(std::ceil(e.cx + r)));
    const int64_t y0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(e.cy - r)));
    const int64_t y1 = std::min<int64_t>(n - 1, static_cast<int64_t>(std::ceil(e.cy + r)));
    for (int64_t y = y0; y <= y1; ++y) {
      for (int64_t x = x0; x <= x1; ++x) {
        const double dx = x + 0.5 - e.cx, dy = y + 0.5 - e.cy;
        const double u = (dx * e.cos_t + dy * e.sin_t) / e.a, v = (-dx * e.sin_t + dy * e.cos_t) / e.b;
        if (u * u + v * v <= 1.0) owner[y * n + x] = id;
      }
    }
  }
}

// Distinct labels for the objects of one image (a partial Fisher-Yates over the allowed list).
std::vector<int64_t> ChooseClasses(SampleRng& rng, const SyntheticWorldOptions& options) {
  std::vector<int64_t> pool = options.classes;
  if (pool.empty()) {
    for (int64_t c = 0; c < SyntheticLabelCount(options); ++c) pool.push_back(c);
  }
  int64_t count = options.single_object ? 1 : rng.UniformInt(options.min_objects, options.max_objects);
  count = std::min<int64_t>(count, static_cast<int64_t>(pool.size()));
  for (int64_t i = 0; i < count; ++i) {
    std::swap(pool[i], pool[rng.UniformInt(i, static_cast<int64_t>(pool.size()) - 1)]);
  }
  pool.resize(count);
  return pool;
}

struct ObjectStyle {
  int64_t class_id;  // the label
  int64_t pattern;
  int light[3], dark[3];
  int64_t phase_x, phase_y;
};

ObjectStyle DrawStyle(SampleRng& rng, int64_t class_id, int64_t composition) {
  ObjectStyle style{class_id, SyntheticCompositionPattern(composition), {}, {}, rng.UniformInt(0, 3),
                    rng.UniformInt(0, 3)};
  const auto& base = kColours[SyntheticCompositionColour(composition)];
  for (int c = 0; c < 3; ++c) {
    style.light[c] = Clamp8(base[c] + static_cast<int>(rng.UniformInt(-15, 15)));
    style.dark[c] = static_cast<int>(std::lround(style.light[c] * kSyntheticDarkShade));
  }
  return style;
}

// The light or dark shade the pattern puts at (x, y), with pixel noise.
void PaintPixel(SampleRng& rng, const ObjectStyle& s, int64_t x, int64_t y, uint8_t* px) {
  const bool dark = SyntheticPatternIsDark(s.pattern, x + s.phase_x, y + s.phase_y);
  const int* rgb = dark ? s.dark : s.light;
  const uint64_t bits = rng.NextU64();
  for (int c = 0; c < 3; ++c) px[c] = Clamp8(rgb[c] + static_cast<int>((bits >> (8 * c)) % 11) - 5);
}

// Colours the object pixels and writes labels; returns each object's visible pixel count.
std::vector<int64_t> PaintObjects(SampleRng& rng, const std::vector<ObjectStyle>& styles, const int8_t* owner,
                                  int64_t n, uint8_t* image, uint8_t* label) {
  std::vector<int64_t> visible(styles.size(), 0);
  for (int64_t y = 0; y < n; ++y) {
    for (int64_t x = 0; x < n; ++x) {
      const int64_t p = y * n + x;
      if (owner[p] < 0) {
        label[p] = static_cast<uint8_t>(kIgnoreLabel);
        continue;
      }
      const ObjectStyle& s = styles[owner[p]];
      ++visible[owner[p]];
      label[p] = static_cast<uint8_t>(s.class_id);
      PaintPixel(rng, s, x, y, image + p * 3);
    }
  }
  return visible;
}

// Draws the image's distractors behind the objects (pixels object_owner leaves free) from their own stream; labels
// stay ignore.
std::vector<SyntheticDistractor> PaintDistractors(const SyntheticWorldOptions& options, std::string_view split,
                                                  int64_t index, const int8_t* object_owner, uint8_t* image) {
  const int64_t n = options.image_size;
  SampleRng rng(options.seed, HashString(split) ^ kDistractorStream, static_cast<uint64_t>(index));
  const int64_t count = rng.UniformInt(options.min_distractors, options.max_distractors);
  const int64_t choices = static_cast<int64_t>(options.distractors.size());
  std::vector<int8_t> owner(n * n, -1);
  std::vector<ObjectStyle> styles;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t composition = options.distractors[rng.UniformInt(0, choices - 1)];
    const int64_t size = rng.UniformInt(options.min_object_size, options.max_object_size);
    Rasterise(DrawBlob(rng, n, size), n, static_cast<int8_t>(i), owner.data());
    styles.push_back(DrawStyle(rng, composition, composition));
  }
  std::vector<SyntheticDistractor> drawn;
  for (const ObjectStyle& s : styles) drawn.push_back({s.class_id, 0, s.phase_x, s.phase_y});
  for (int64_t y = 0; y < n; ++y) {
    for (int64_t x = 0; x < n; ++x) {
      const int64_t p = y * n + x;
      if (owner[p] < 0 || object_owner[p] >= 0) continue;
      ++drawn[owner[p]].visible_pixels;
      PaintPixel(rng, styles[owner[p]], x, y, image + p * 3);
    }
  }
  return drawn;
}

// Every id a composition, none twice; errors start with id_prefix (a bad id) or name_prefix (a repeated name).
absl::Status CheckCompositionIds(const std::vector<int64_t>& ids, const std::string& id_prefix,
                                 const std::string& name_prefix) {
  std::vector<bool> listed(SyntheticCompositionCount(), false);
  for (int64_t c : ids) {
    if (c < 0 || c >= SyntheticCompositionCount()) {
      return absl::InvalidArgumentError(
          absl::StrCat("synthetic world: ", id_prefix, c, " out of range [0, ", SyntheticCompositionCount(), ")"));
    }
    if (listed[c]) {
      return absl::InvalidArgumentError(
          absl::StrCat("synthetic world: ", name_prefix, SyntheticCompositionName(c), " listed twice"));
    }
    listed[c] = true;
  }
  return absl::OkStatus();
}

// Known compositions, each once, none a label's, and a count range the int8 owner map holds.
absl::Status ValidateDistractors(const SyntheticWorldOptions& o) {
  auto bad = [](const std::string& what) { return absl::InvalidArgumentError("synthetic world: " + what); };
  if (o.min_distractors < 0 || o.min_distractors > o.max_distractors || o.max_distractors > 100) {
    return bad(absl::StrCat("need 0 <= min_distractors <= max_distractors <= 100, got ", o.min_distractors, "..",
                            o.max_distractors));
  }
  const std::vector<int64_t> painted = SyntheticLabelCompositions(o);
  if (absl::Status s = CheckCompositionIds(o.distractors, "distractor composition id ", "distractor "); !s.ok()) {
    return s;
  }
  for (int64_t c : o.distractors) {
    if (std::find(painted.begin(), painted.end(), c) != painted.end()) {
      return bad(absl::StrCat("distractor ", SyntheticCompositionName(c),
                              " is a class of this world; a distractor must be a composition no label paints"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int64_t SyntheticClassCount() {
  return static_cast<int64_t>(SyntheticColours().size() * SyntheticPatterns().size());
}

int64_t SyntheticClassId(int64_t colour_index, int64_t pattern_index) {
  return colour_index * static_cast<int64_t>(SyntheticPatterns().size()) + pattern_index;
}

std::string SyntheticClassName(int64_t class_id) { return SyntheticCompositionName(class_id); }

std::vector<std::string> SyntheticClassNames() {
  std::vector<std::string> names;
  for (int64_t c = 0; c < SyntheticClassCount(); ++c) names.push_back(SyntheticClassName(c));
  return names;
}

std::vector<int64_t> SyntheticLabelCompositions(const SyntheticWorldOptions& options) {
  std::vector<int64_t> compositions;
  for (int64_t k = 0; k < SyntheticLabelCount(options); ++k) {
    compositions.push_back(SyntheticLabelComposition(options, k));
  }
  return compositions;
}

std::vector<std::string> SyntheticLabelNames(const SyntheticWorldOptions& options) {
  std::vector<std::string> names;
  for (int64_t id : SyntheticLabelCompositions(options)) names.push_back(SyntheticCompositionName(id));
  return names;
}

int64_t SyntheticLabelComposition(const SyntheticWorldOptions& options, int64_t label) {
  return options.compositions.empty() ? label : options.compositions.at(label);
}

int64_t SyntheticLabelCount(const SyntheticWorldOptions& options) {
  return options.compositions.empty() ? SyntheticClassCount() : static_cast<int64_t>(options.compositions.size());
}

std::array<uint8_t, 3> SyntheticColourRgb(int64_t colour_index) { return kColours.at(colour_index); }

bool SyntheticPatternIsDark(int64_t pattern_index, int64_t x, int64_t y) {
  switch (pattern_index) {
    case 0: return false;                    // plain
    case 1: return (y & 2) != 0;             // horizontal stripes: 2 rows light, 2 rows dark
    case 2: return (x & 2) != 0;             // vertical stripes
    case 3: return ((x + y) & 2) != 0;       // diagonal stripes (constant along x + y)
    case 4: return (x & 2) && (y & 2);       // dots: one 2x2 dark dot per 4x4 cell
    case 5: return ((x ^ y) & 2) != 0;       // checker of 2x2 cells
    case 6: return (x & 3) == 0 || (y & 3) == 0;  // grid: 1-px lines every 4 px both ways
    case 7: return ((x + ZigzagShift(y)) & 2) != 0;  // diagonal stripes that turn every 4 rows
    default: return false;
  }
}

absl::Status ValidateSyntheticWorldOptions(const SyntheticWorldOptions& o) {
  auto bad = [](const std::string& what) { return absl::InvalidArgumentError("synthetic world: " + what); };
  if (o.image_size < 8) return bad(absl::StrCat("image_size must be >= 8, got ", o.image_size));
  if (o.min_objects < 1 || o.min_objects > o.max_objects) {
    return bad(absl::StrCat("need 1 <= min_objects <= max_objects, got ", o.min_objects, "..", o.max_objects));
  }
  if (!(o.varied_caption_fraction >= 0 && o.varied_caption_fraction <= 1)) {
    return bad(absl::StrCat("varied_caption_fraction must be in [0, 1], got ", o.varied_caption_fraction));
  }
  if (o.max_objects > 100) return bad(absl::StrCat("max_objects must be <= 100, got ", o.max_objects));
  if (o.min_object_size < 2 || o.min_object_size > o.max_object_size) {
    return bad(absl::StrCat("need 2 <= min_object_size <= max_object_size, got ", o.min_object_size, "..",
                            o.max_object_size));
  }
  if (o.max_object_size > o.image_size) {
    return bad(absl::StrCat("max_object_size (", o.max_object_size, ") exceeds image_size (", o.image_size, ")"));
  }
  if (absl::Status s = CheckCompositionIds(o.compositions, "composition id ", "composition "); !s.ok()) return s;
  if (absl::Status s = ValidateDistractors(o); !s.ok()) return s;
  const int64_t labels = SyntheticLabelCount(o);  // at most 64: a label byte holds every one
  std::vector<bool> seen(labels, false);
  for (int64_t c : o.classes) {
    if (c < 0 || c >= labels) return bad(absl::StrCat("class id ", c, " out of range [0, ", labels, ")"));
    if (seen[c]) return bad(absl::StrCat("class id ", c, " listed twice"));
    seen[c] = true;
  }
  return absl::OkStatus();
}

SyntheticScene RenderSyntheticScene(const SyntheticWorldOptions& options, std::string_view split, int64_t index) {
  const int64_t n = options.image_size;
  SampleRng rng(options.seed, HashString(split), static_cast<uint64_t>(index));
  at::Tensor image = at::empty({n, n, 3}, at::kByte);
  at::Tensor label = at::empty({n, n}, at::kByte);
  PaintBackground(rng, n, image.data_ptr<uint8_t>());

  const std::vector<int64_t> classes = ChooseClasses(rng, options);
  std::vector<int8_t> owner(n * n, -1);
  std::vector<ObjectStyle> styles;
  for (size_t i = 0; i < classes.size(); ++i) {
    const int64_t size = rng.UniformInt(options.min_object_size, options.max_object_size);
    Rasterise(DrawBlob(rng, n, size), n, static_cast<int8_t>(i), owner.data());
    styles.push_back(DrawStyle(rng, classes[i], SyntheticLabelComposition(options, classes[i])));
  }
  uint8_t* label_data = label.data_ptr<uint8_t>();
  const std::vector<int64_t> visible =
      PaintObjects(rng, styles, owner.data(), n, image.data_ptr<uint8_t>(), label_data);

  SyntheticScene scene;
  if (!options.distractors.empty()) {
    scene.distractors = PaintDistractors(options, split, index, owner.data(), image.data_ptr<uint8_t>());
  }
  for (size_t i = 0; i < styles.size(); ++i) {
    if (visible[i] >= kSyntheticMinVisiblePixels) {
      scene.objects.push_back({styles[i].class_id, visible[i], styles[i].phase_x, styles[i].phase_y});
      continue;
    }
    // Occluded to a sliver: not nameable, so neither labelled nor captioned.
    for (int64_t p = 0; p < n * n; ++p) {
      if (owner[p] == static_cast<int8_t>(i)) label_data[p] = static_cast<uint8_t>(kIgnoreLabel);
    }
  }
  std::sort(scene.objects.begin(), scene.objects.end(),
            [](const SyntheticObject& a, const SyntheticObject& b) { return a.class_id < b.class_id; });
  std::vector<int64_t> ids;  // the objects' compositions, which captions name
  for (const SyntheticObject& o : scene.objects) ids.push_back(SyntheticLabelComposition(options, o.class_id));
  const std::string canonical = SyntheticCaption(ids);
  scene.sample = {image, label, canonical, absl::StrCat(std::string(split), "/", index), SyntheticCaptionKey(ids)};
  // Its own stream, so the phrasing draws leave the pixels exactly as with canonical captions.
  SampleRng phrasing(options.seed, HashString(split) ^ kPhrasingStream, static_cast<uint64_t>(index));
  if (options.varied_caption_fraction > 0 && phrasing.Bernoulli(options.varied_caption_fraction)) {
    scene.sample.caption = PhrasedSyntheticCaption(ids, phrasing);
  }
  return scene;
}

absl::StatusOr<std::unique_ptr<SyntheticWorldDataset>> SyntheticWorldDataset::Create(SyntheticWorldOptions options,
                                                                                     std::string split,
                                                                                     int64_t size) {
  if (absl::Status s = ValidateSyntheticWorldOptions(options); !s.ok()) return s;
  const bool valid_name = !split.empty() && std::all_of(split.begin(), split.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!valid_name) {
    return absl::InvalidArgumentError("synthetic world: split \"" + split +
                                      "\" must be a non-empty name of a-z, 0-9 and _ (e.g. train, val, test)");
  }
  if (size < 0) return absl::InvalidArgumentError(absl::StrCat("synthetic world: size must be >= 0, got ", size));
  return std::unique_ptr<SyntheticWorldDataset>(new SyntheticWorldDataset(std::move(options), std::move(split), size));
}

absl::StatusOr<Sample> SyntheticWorldDataset::Get(int64_t index) const {
  if (index < 0 || index >= size_) {
    return absl::OutOfRangeError(
        absl::StrCat("synthetic world ", split_, ": index ", index, " out of range [0, ", size_, ")"));
  }
  return RenderSyntheticScene(options_, split_, index).sample;
}

}  // namespace zegclip::data
