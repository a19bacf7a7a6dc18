// Open-vocabulary segmentation of one image with class names given at run time (`zegclip segment`).
// The experiment supplies the templates, the test resize, the windows and the loss kind; the model comes from the
// caller (engine/segmentor_builder.h), built only once the image has been read and its size checked. Scores come from
// the one inference path (zegclip/model/inference.h): an image within one window is segmented whole, zero-padded to a
// multiple of the patch size, a larger one by the experiment's windows; sigmoid (NEL) or softmax (EL) per window,
// window scores averaged and resized to the image. `seen` turns on the authors' test-time calibration
// (model.seen_score_offset subtracted from those classes, not in the transductive setting), so with the experiment's
// seen classes the labels are the authors' test.py labels. Writes into `out`:
//   labels.png      palette PNG, pixel value = class index (in `classes` order), colours = the overlay's
//   overlay.png     the image blended with the class colours, enlarged to >= 256 px, and a legend with fractions
//   fractions.json  per class: pixels and fraction of the image, plus the unlabelled pixels (min_score); the
//                   fractions sum to 1
// and, with `scores_out`, the scores the labels are the argmax of: C x H x W float32 .npy at the image's size.
//
// Example:
//   absl::StatusOr<SegmentResult> r = SegmentImage(experiment, [&] { return BuildSegmentor(experiment, source); },
//                                                  {.image = "cat.jpg", .classes = {"cat", "grass"}, .out = "seg"});
#ifndef ZEGCLIP_ENGINE_SEGMENT_IMAGE_H_
#define ZEGCLIP_ENGINE_SEGMENT_IMAGE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/model/zegclip_segmentor.h"

namespace zegclip::engine {

// Index PNGs hold one byte per pixel; value 255 marks an unlabelled pixel.
inline constexpr size_t kMaxClasses = 255;
inline constexpr int64_t kUnlabelled = 255;

struct SegmentOptions {
  std::string image;                 // the image file (JPEG, PNG, PPM, ...), named in errors and fractions.json
  std::vector<std::string> classes;  // at most kMaxClasses
  std::vector<int64_t> seen;         // ascending indices into classes calibrated like the authors' seen classes
  std::string bpe_vocab;             // "" = model.clip.bpe_vocab, else OpenAI's vocabulary
  std::string out;                   // output folder
  std::string scores_out;            // "" = no score file
  // The scores and the overlay are made at the image's own size: its pixels, and pixels x classes, are bounded.
  int64_t max_pixels = int64_t{1} << 25;
  int64_t max_scores = int64_t{1} << 28;
  double min_score = 0;              // pixels whose best score is below it stay unlabelled
};

struct ClassShare {
  std::string name;
  int64_t pixels = 0;
  double fraction = 0;
};

struct SegmentResult {
  int64_t height = 0, width = 0;
  std::vector<ClassShare> shares;  // one per class, in SegmentOptions::classes order
  ClassShare unlabelled;
};

// Comma-separated class names: none empty, none repeated, at most kMaxClasses. Errors name --classes.
absl::StatusOr<std::vector<std::string>> ParseClassList(const std::string& text);
// Each entry a name of `names` or an index into it; returned ascending, no repeats. Errors name --seen_classes.
absl::StatusOr<std::vector<int64_t>> ParseSeenClasses(const std::string& text, const std::vector<std::string>& names);

// The bounds (--max_pixels, --max_scores >= 1; --min_score in [0, 1)); SegmentImage checks them first.
absl::Status CheckSegmentOptions(const SegmentOptions& options);

using SegmentorFactory = std::function<absl::StatusOr<model::ZegClipSegmentor>()>;

absl::StatusOr<SegmentResult> SegmentImage(const config::Experiment& experiment, const SegmentorFactory& build,
                                           const SegmentOptions& options);

// What the command prints: each class's share of the image, the unlabelled pixels (with --min_score), the files.
std::string FormatSegmentResult(const SegmentOptions& options, const SegmentResult& result);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_SEGMENT_IMAGE_H_
