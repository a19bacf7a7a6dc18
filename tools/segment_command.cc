// `zegclip segment`: open-vocabulary segmentation of one image with class names given at run time.
//
//   zegclip segment --checkpoint=runs/q/zegclip/iter_300.ckpt --clip_checkpoint=runs/q/clip/clip.pt
//       --bpe_vocab=runs/q/clip/world_bpe.txt.gz --image=img.png --classes="red dotted,blue plain" --out=seg/
//   zegclip segment --authors_checkpoint=voc.tensors --config=experiments/voc_inductive.pbtxt
//       --image=cat.jpg --classes="cat,grass,sky" --seen_classes=cat,grass --scores_out=seg/scores.npy --out=seg/
//
// The experiment is --config (with --set overrides), else for a checkpoint of ours the config.pbtxt its run
// directory holds; an authors' checkpoint needs --config (its file does not say which recipe it was trained with).
// How it scores and what it writes into --out: zegclip/engine/segment_image.h.
// Any failure (no classes, unreadable image, missing checkpoint, ...) is one "error: ..." line and exit status 1.
#include <gflags/gflags.h>

#include <iostream>
#include <string>
#include <vector>

#include "tools/command.h"

DECLARE_string(checkpoint);  // eval_command.cc: a checkpoint written by `zegclip train`
// --image, --classes, --out and --bpe_vocab are shared with clip-encode, text-embed and tokenize (which declare them).
DEFINE_string(bpe_vocab, "", "the CLIP's BPE merges file (default: model.clip.bpe_vocab, else OpenAI's)");
DEFINE_string(authors_checkpoint, "",
              "segment: an authors' ZegCLIP checkpoint converted by tools/convert_zegclip_checkpoint.py");
DEFINE_string(image, "", "an image file (JPEG, PNG, PPM, ...)");
DEFINE_string(classes, "", "comma-separated class names, e.g. \"cat,dog,grass\"");
DEFINE_string(out, "", "segment: output folder (labels.png, overlay.png, fractions.json); export-authors: the .pth");
DEFINE_string(seen_classes, "",
              "segment: classes of --classes (names, or 0-based indices) whose scores model.seen_score_offset is "
              "subtracted from, as the authors' test does for the seen classes; empty: no calibration");
DEFINE_string(scores_out, "",
              "segment: also write the scores the labels are the argmax of (C x H x W float32 .npy, image size)");
DEFINE_int64(max_pixels, int64_t{1} << 25,
             "segment: refuse an image with more pixels (width x height) than this; the labels, the overlay and "
             "their intermediates take ~40 bytes per pixel (default 2^25 = 33554432, e.g. 8192x4096)");
DEFINE_int64(max_scores, int64_t{1} << 28,
             "segment: refuse an image whose pixels x classes exceed this: the float32 score map at the image's size "
             "holds that many values (default 2^28 = 268435456, 1 GiB)");
DEFINE_double(min_score, 0,
              "segment: pixels whose best class score (sigmoid for NEL, softmax for EL) is below this stay unlabelled "
              "(255 in labels.png, uncoloured in the overlay); 0 gives every pixel a class");

#ifdef ZEGCLIP_WITHOUT_READERS

namespace zegclip::tools {
int RunSegment(const CommandLine&) {
  std::cerr << "error: segment reads and writes image files, which this build (no OpenCV) cannot\n";
  return 1;
}
}  // namespace zegclip::tools

#else

#include "absl/strings/str_cat.h"
#include "tools/flags.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/engine/run_records.h"
#include "zegclip/engine/segment_image.h"
#include "zegclip/engine/segmentor_builder.h"
#include "zegclip/base/path_check.h"

namespace zegclip::tools {
namespace {

absl::Status CheckFlags() {
  const bool ours = !FLAGS_checkpoint.empty(), theirs = !FLAGS_authors_checkpoint.empty();
  if (FLAGS_image.empty() || FLAGS_out.empty()) {
    return absl::InvalidArgumentError("segment needs --image=FILE, --classes=\"a,b,...\" and --out=DIR");
  }
  if (ours == theirs) {
    return absl::InvalidArgumentError(
        "segment needs exactly one of --checkpoint=CKPT (with --clip_checkpoint=PT) and --authors_checkpoint=TENSORS");
  }
  if (ours && FLAGS_clip_checkpoint.empty()) {
    return absl::InvalidArgumentError("--checkpoint needs --clip_checkpoint=PT, the CLIP checkpoint the model was built from");
  }
  for (const std::string& path : {FLAGS_checkpoint, FLAGS_authors_checkpoint, FLAGS_clip_checkpoint}) {
    if (path.empty()) continue;
    absl::Status readable = base::CheckReadableFile(path, "checkpoint");
    if (readable.code() == absl::StatusCode::kNotFound) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    if (!readable.ok()) return readable;
  }
  return absl::OkStatus();
}

absl::StatusOr<engine::SegmentOptions> OptionsFromFlags() {
  absl::StatusOr<std::vector<std::string>> names = engine::ParseClassList(FLAGS_classes);
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<int64_t>> seen = engine::ParseSeenClasses(FLAGS_seen_classes, *names);
  if (!seen.ok()) return seen.status();
  return engine::SegmentOptions{FLAGS_image,      *names,           *seen,           FLAGS_bpe_vocab, FLAGS_out,
                                FLAGS_scores_out, FLAGS_max_pixels, FLAGS_max_scores, FLAGS_min_score};
}

absl::Status Segment(const CommandLine& command_line) {
  if (absl::Status s = CheckFlags(); !s.ok()) return s;
  absl::StatusOr<engine::SegmentOptions> options = OptionsFromFlags();
  if (!options.ok()) return options.status();
  // Its files would sit among a run's own; said before the model is built.
  absl::Status s = engine::CheckNotATrainingRun(FLAGS_out, "--out", "segment",
                                                "put its labels.png, overlay.png and fractions.json among the run's files");
  if (!s.ok()) return s;
  absl::StatusOr<std::string> config_path =
      engine::ExperimentFileOf(FLAGS_config, FLAGS_checkpoint, FLAGS_authors_checkpoint);
  if (!config_path.ok()) return config_path.status();
  absl::StatusOr<config::Experiment> e = config::LoadExperiment(*config_path, command_line.overrides);
  if (!e.ok()) return e.status();
  UseAllCores();
  const engine::SegmentorSource source{FLAGS_checkpoint, FLAGS_clip_checkpoint, FLAGS_authors_checkpoint};
  absl::StatusOr<engine::SegmentResult> r =
      engine::SegmentImage(*e, [&] { return engine::BuildSegmentor(*e, source); }, *options);
  if (!r.ok()) return r.status();
  std::cout << engine::FormatSegmentResult(*options, *r);
  return absl::OkStatus();
}

}  // namespace

// An exception a library throws becomes one line in zegclip_main's RunGuarded.
int RunSegment(const CommandLine& command_line) {
  const absl::Status status = Segment(command_line);
  return status.ok() ? 0 : RuntimeError(status);
}

}  // namespace zegclip::tools

#endif  // ZEGCLIP_WITHOUT_READERS
