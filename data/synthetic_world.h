// The synthetic world of the default job: 64x64 images of 1-3 coloured, patterned blobs on a noisy textured
// background, with per-pixel labels and captions. A class is "<colour> <pattern>" (6 colours x 6 patterns = 36,
// id = colour_index * 6 + pattern_index, names from class_catalog.h). Patterns have a period of 4 px and are drawn in
// a dark shade of the object's colour, so both attributes of a class are visible inside one 8x8 patch; the
// background is label 255 (ignore). A world may instead segment any compositions of class_catalog.h's 8 colours x 8
// patterns (options.compositions): a CLIP can then pre-train on more concepts than a segmenter trains on. Its
// background may hold distractors (options.distractors): shapes of compositions no label paints, labelled ignore.
// Every image is a pure function of (seed, split, index): any worker or rank renders the same pixels, and nothing is
// stored.
//
// Example:
//   SyntheticWorldOptions options;   // 64x64, 1-3 objects, 14-38 px
//   auto train = SyntheticWorldDataset::Create(options, "train", 2000);
//   absl::StatusOr<Sample> s = (*train)->Get(0);   // s->caption == "a red dotted object and a blue plain object."
//
//   options.single_object = true;                  // one object per image: CLIP pre-training, retrieval tests
//   options.classes = {0, 7, 14};                  // draw objects only from these labels
//
//   options.compositions = {0, 4, 62};             // a 3-class world: red plain, red dotted, pink gridded
//   options.distractors = {55, 56};                // cyan zigzag and pink plain shapes behind the objects, ignored
#ifndef ZEGCLIP_DATA_SYNTHETIC_WORLD_H_
#define ZEGCLIP_DATA_SYNTHETIC_WORLD_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/sample.h"
#include "data/synthetic_caption.h"

namespace zegclip::data {

struct SyntheticWorldOptions {
  int64_t image_size = 64;
  int64_t min_objects = 1;
  int64_t max_objects = 3;
  int64_t min_object_size = 14;  // blob extent in pixels
  int64_t max_object_size = 38;
  uint64_t seed = 0;
  // The world's classes in label order: label k paints composition compositions[k] (class_catalog.h's ids, 0..63).
  // Empty: the 36 base compositions, label = composition id (the default job's world).
  std::vector<int64_t> compositions;
  // Labels objects are drawn from; empty = every label. Objects of one image have distinct classes.
  std::vector<int64_t> classes;
  // Exactly one object per image (overrides min/max_objects).
  bool single_object = false;
  // The fraction of captions in a varied phrasing (synthetic_caption.h); the others are the canonical sentence.
  // Either way the sample's caption_key is the canonical caption of its sorted class ids, and the pixels are the same.
  double varied_caption_fraction = 0;
  // Compositions (class_catalog.h's ids) that no label paints, drawn as background shapes behind the objects,
  // labelled ignore and never captioned: the unnamed things of a real image's background, which the encoder sees and
  // no query names. Empty: none. Each image draws min_distractors..max_distractors of them (uniform), each of a
  // composition drawn from this list. Their draws come from a stream of their own, so an image's objects, labels and
  // caption are exactly those of the same world without distractors; only background pixels change.
  std::vector<int64_t> distractors;
  int64_t min_distractors = 1;
  int64_t max_distractors = 2;
};

// An object occluded down to fewer pixels than this is dropped: its pixels become ignore, its class leaves the caption.
inline constexpr int64_t kSyntheticMinVisiblePixels = 20;

int64_t SyntheticClassCount();                                      // 36: the base world
int64_t SyntheticClassId(int64_t colour_index, int64_t pattern_index);  // a base class (both indices < 6)
std::string SyntheticClassName(int64_t class_id);                   // "red dotted"; any composition id
std::vector<std::string> SyntheticClassNames();                     // the base world's, in class-id order
// A world's labels: how many, the composition each paints (options.compositions, or the base ids when it is
// empty), and their names.
int64_t SyntheticLabelCount(const SyntheticWorldOptions& options);
int64_t SyntheticLabelComposition(const SyntheticWorldOptions& options, int64_t label);
std::vector<int64_t> SyntheticLabelCompositions(const SyntheticWorldOptions& options);  // in label order
std::vector<std::string> SyntheticLabelNames(const SyntheticWorldOptions& options);
// The base RGB colour of colour_index, 0..7 (the pattern uses kSyntheticDarkShade times it).
std::array<uint8_t, 3> SyntheticColourRgb(int64_t colour_index);
inline constexpr float kSyntheticDarkShade = 0.45f;

// True where the pattern (0..7) draws its dark shade at (x, y) shifted by the object's phase (0..3 each).
bool SyntheticPatternIsDark(int64_t pattern_index, int64_t x, int64_t y);

absl::Status ValidateSyntheticWorldOptions(const SyntheticWorldOptions& options);

struct SyntheticObject {
  int64_t class_id;  // the label
  int64_t visible_pixels;
  int64_t phase_x, phase_y;  // pattern offset: pixel (x, y) is dark iff SyntheticPatternIsDark(p, x+phase_x, y+phase_y)
};

// A background shape (options.distractors): labelled ignore, so only its pixels record it.
struct SyntheticDistractor {
  int64_t composition;
  int64_t visible_pixels;  // those not under an object or a later distractor; may be 0
  int64_t phase_x, phase_y;
};

struct SyntheticScene {
  Sample sample;
  std::vector<SyntheticObject> objects;  // the visible objects, by ascending class id (the caption's order)
  std::vector<SyntheticDistractor> distractors;  // every one drawn, back to front
};

// Renders image `index` of `split`. Options must be valid (ValidateSyntheticWorldOptions).
SyntheticScene RenderSyntheticScene(const SyntheticWorldOptions& options, std::string_view split, int64_t index);

class SyntheticWorldDataset : public Dataset {
 public:
  // split: a name such as "train", "val", "test" or "pretrain"; each name is its own stream of images.
  // size: number of images.
  static absl::StatusOr<std::unique_ptr<SyntheticWorldDataset>> Create(SyntheticWorldOptions options,
                                                                       std::string split, int64_t size);

  int64_t size() const override { return size_; }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const SyntheticWorldOptions& options() const { return options_; }
  const std::string& split() const { return split_; }

 private:
  SyntheticWorldDataset(SyntheticWorldOptions options, std::string split, int64_t size)
      : options_(std::move(options)), split_(std::move(split)), size_(size) {}

  SyntheticWorldOptions options_;
  std::string split_;
  int64_t size_;
};

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_SYNTHETIC_WORLD_H_
