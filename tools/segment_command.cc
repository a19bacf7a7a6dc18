// `zegclip segment`: open-vocabulary segmentation of one image with class names given at run time.
//
//   zegclip segment --checkpoint=runs/q/zegclip/iter_300.ckpt --clip=runs/q/clip/clip.pt
//       --bpe_vocab=runs/q/clip/world_bpe.txt.gz --image=img.png --classes="red dotted,blue plain" --out=seg/
//   zegclip segment --authors_checkpoint=voc.tensors --config=experiments/voc_inductive.pbtxt
//       --image=cat.jpg --classes="cat,grass,sky" --seen_classes=cat,grass --scores_out=seg/scores.npy --out=seg/
//
// The experiment (--config, with --set overrides) supplies the templates, the test resize, the windows and the loss
// kind; without --config a checkpoint of ours uses the config.pbtxt its run directory holds, and an authors'
// checkpoint is refused (its file does not say which recipe it was trained with, and guessing segments with the wrong
// templates and sizes). The architecture is the one read off --clip (ours) or off the checkpoint's shapes (the
// authors', converted by tools/convert_zegclip_checkpoint.py; no --clip). Class embeddings come from the frozen text
// encoder and the experiment's templates. Scores come from the one inference path (zegclip/model/inference.h): the
// image through the experiment's test transforms, images larger than eval.crop by sliding window (eval.crop /
// eval.stride), smaller ones whole; sigmoid (NEL) or softmax (EL) per window, window scores averaged, resized to the
// image. --seen_classes turns on the authors' test-time calibration: model.seen_score_offset is subtracted from those
// classes' scores (not in the transductive setting, whose test uses 0), so with the experiment's seen classes the
// labels are the authors' test.py labels. Writes into --out:
//   labels.png      palette PNG, pixel value = class index (in --classes order), colours = the overlay's
//   overlay.png     the image blended with the class colours, enlarged to >= 256 px, and a legend with fractions
//   fractions.json  per class: pixels and fraction of the image, plus the unlabelled pixels (--min_score); the
//                   fractions sum to 1
// and, with --scores_out=F.npy, the scores the labels are the argmax of: C x H x W float32 at the image's size.
// Any failure (no classes, unreadable image, missing checkpoint, ...) is one "error: ..." line and exit status 1.
#include <gflags/gflags.h>

#include <iostream>
#include <string>
#include <vector>

#include "tools/command.h"

DECLARE_string(checkpoint);  // eval_command.cc: a checkpoint written by `zegclip train`
DEFINE_string(clip, "", "segment: the CLIP checkpoint the model was built from (its architecture)");
// --image, --classes, --out and --bpe_vocab are shared with clip_commands.cc (which declares them).
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

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <torch/autograd.h>
#include <torch/cuda.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "data/image_io.h"
#include "data/transforms.h"
#include "zegclip/engine/experiment_options.h"
#include "tools/flags.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/engine/run_records.h"
#include "zegclip/engine/segmentor_builder.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/clip/npy_io.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/io/path_check.h"
#include "zegclip/model/authors_checkpoint.h"
#include "zegclip/model/inference.h"
#include "zegclip/model/zero_shot_setting.h"

namespace zegclip::tools {
namespace {

// Index PNGs hold one byte per pixel.
constexpr size_t kMaxClasses = 255;

using Palette = std::array<std::array<uint8_t, 3>, 256>;

absl::StatusOr<std::vector<std::string>> ParseClassList(const std::string& text) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError("--classes is empty: give comma-separated class names, e.g. \"cat,dog,grass\"");
  }
  std::vector<std::string> names;
  for (absl::string_view piece : absl::StrSplit(text, ',')) {
    const std::string name(absl::StripAsciiWhitespace(piece));
    if (name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--classes: entry ", names.size() + 1, " of \"", text,
                                                     "\" is empty"));
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return absl::InvalidArgumentError(absl::StrCat("--classes: '", name, "' is given twice"));
    }
    names.push_back(name);
  }
  if (names.size() > kMaxClasses) {
    return absl::InvalidArgumentError(absl::StrCat("--classes: ", names.size(), " classes, at most ", kMaxClasses));
  }
  return names;
}

// --seen_classes: each entry a name of --classes or an index into it; ascending indices, no repeats.
absl::StatusOr<std::vector<int64_t>> ParseSeenClasses(const std::string& text, const std::vector<std::string>& names) {
  std::vector<int64_t> seen;
  if (absl::StripAsciiWhitespace(text).empty()) return seen;
  for (absl::string_view piece : absl::StrSplit(text, ',')) {
    const std::string entry(absl::StripAsciiWhitespace(piece));
    const auto named = std::find(names.begin(), names.end(), entry);
    int64_t index = -1;
    if (named != names.end()) {
      index = named - names.begin();
    } else if (!absl::SimpleAtoi(entry, &index) || index < 0 || index >= static_cast<int64_t>(names.size())) {
      return absl::InvalidArgumentError(absl::StrCat("--seen_classes: '", entry, "' is neither one of --classes nor ",
                                                     "an index below ", names.size()));
    }
    if (std::find(seen.begin(), seen.end(), index) != seen.end()) {
      return absl::InvalidArgumentError(absl::StrCat("--seen_classes: '", entry, "' is given twice"));
    }
    seen.push_back(index);
  }
  std::sort(seen.begin(), seen.end());
  return seen;
}

// The experiment file: --config, else the config.pbtxt of the run directory holding our checkpoint. An authors'
// checkpoint does not name its recipe, so it needs --config.
absl::StatusOr<std::string> ConfigPath() {
  if (!FLAGS_config.empty()) return FLAGS_config;
  if (!FLAGS_authors_checkpoint.empty()) {
    return absl::InvalidArgumentError(
        "--authors_checkpoint needs --config=F, the experiment it was trained with (templates, test resize, windows; "
        "e.g. experiments/voc_inductive.pbtxt): the checkpoint does not say, and a wrong guess segments silently worse");
  }
  return engine::RunConfigOf(FLAGS_checkpoint);
}

absl::Status CheckFlags() {
  const bool ours = !FLAGS_checkpoint.empty(), theirs = !FLAGS_authors_checkpoint.empty();
  if (FLAGS_image.empty() || FLAGS_out.empty()) {
    return absl::InvalidArgumentError("segment needs --image=FILE, --classes=\"a,b,...\" and --out=DIR");
  }
  if (ours == theirs) {
    return absl::InvalidArgumentError(
        "segment needs exactly one of --checkpoint=CKPT (with --clip=PT) and --authors_checkpoint=TENSORS");
  }
  if (FLAGS_max_pixels < 1 || FLAGS_max_scores < 1) {
    return absl::InvalidArgumentError(absl::StrCat("--max_pixels and --max_scores must be >= 1, got ",
                                                   FLAGS_max_pixels, " and ", FLAGS_max_scores));
  }
  if (!(FLAGS_min_score >= 0 && FLAGS_min_score < 1)) {
    return absl::InvalidArgumentError(absl::StrCat("--min_score must be in [0, 1), got ", FLAGS_min_score));
  }
  if (ours && FLAGS_clip.empty()) {
    return absl::InvalidArgumentError("--checkpoint needs --clip=PT, the CLIP checkpoint the model was built from");
  }
  for (const std::string& path : {FLAGS_checkpoint, FLAGS_authors_checkpoint, FLAGS_clip}) {
    if (path.empty()) continue;
    absl::Status readable = io::CheckReadableFile(path, "checkpoint");
    if (readable.code() == absl::StatusCode::kNotFound) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    if (!readable.ok()) return readable;
  }
  return absl::OkStatus();
}

// The model with its weights, in eval mode on `device`.
absl::StatusOr<model::ZegClipSegmentor> BuildModel(const config::Experiment& e, at::Device device) {
  model::ZegClipSegmentor model{nullptr};
  if (!FLAGS_authors_checkpoint.empty()) {
    absl::StatusOr<model::ZegClipSegmentor> built = engine::BuildAuthorsSegmentor(e, FLAGS_authors_checkpoint);
    if (!built.ok()) return built.status();
    model = *built;
  } else {
    absl::StatusOr<model::ZegClipSegmentor> built = engine::BuildTrainedSegmentor(e, FLAGS_clip, FLAGS_checkpoint);
    if (!built.ok()) return built.status();
    model = *built;
  }
  model->to(device);
  model->eval();
  return model;
}

// The tokenizer, checked against the text encoder; every prompt of every class must fit its context.
absl::StatusOr<clip::BpeTokenizer> LoadTokenizer(const config::Experiment& e, const model::ZegClipSegmentorImpl& m,
                                                 const std::vector<std::string>& names) {
  clip::BpeTokenizerOptions options;
  options.merges_path = FLAGS_bpe_vocab.empty() ? engine::BpeVocabPath(e.model().clip()) : FLAGS_bpe_vocab;
  absl::StatusOr<clip::BpeTokenizer> tokenizer = clip::BpeTokenizer::Load(options);
  if (!tokenizer.ok()) return tokenizer.status();
  const clip::ClipOptions& c = m.options().clip;
  if (tokenizer->vocab_size() != c.vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat(options.merges_path, " has ", tokenizer->vocab_size(),
                                                   " tokens but the model's text encoder has ", c.vocab_size,
                                                   " (pass that CLIP's vocabulary with --bpe_vocab)"));
  }
  for (const std::string& pattern : engine::TemplatesFrom(e.model())) {
    for (const std::string& name : names) {
      const std::string prompt = absl::StrReplaceAll(pattern, {{"{}", name}});
      absl::StatusOr<at::Tensor> tokens = tokenizer->Tokenize({prompt}, c.context_length);
      if (!tokens.ok()) return absl::InvalidArgumentError(absl::StrCat("--classes: '", name, "': ",
                                                                       tokens.status().message()));
    }
  }
  return tokenizer;
}

// The scores (C, H, W) and the overlay are made at the image's own size, so its pixels, and its pixels x classes,
// decide the memory segment needs: both are bounded by a flag, and the error says which and how to raise it.
absl::Status CheckImageSize(int64_t height, int64_t width, int64_t classes) {
  const int64_t pixels = height * width;
  if (pixels > FLAGS_max_pixels) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "--image=%s: %dx%d is %d pixels, more than --max_pixels=%d (raise it if the machine has the memory: about "
        "40 bytes per pixel, or downscale the image)", FLAGS_image, width, height, pixels, FLAGS_max_pixels));
  }
  if (pixels * classes > FLAGS_max_scores) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "--image=%s: %dx%d pixels x %d classes is %d scores, more than --max_scores=%d (the float32 score map would "
        "take %.1f GiB; raise --max_scores, give fewer classes or downscale the image)", FLAGS_image, width, height,
        classes, pixels * classes, FLAGS_max_scores, 4.0 * static_cast<double>(pixels * classes) / (1 << 30)));
  }
  return absl::OkStatus();
}

// The experiment's test transforms: uint8 (H, W, 3) -> normalised float (1, 3, h, w).
absl::StatusOr<at::Tensor> Preprocess(const config::Experiment& e, const at::Tensor& rgb) {
  data::Sample sample{rgb, at::zeros({rgb.size(0), rgb.size(1)}, at::kByte), "", FLAGS_image};
  data::SampleRng rng(uint64_t{0});
  absl::StatusOr<data::TransformedSample> t = data::TestPipeline(engine::TestTransformsFrom(e.data(), e.eval()))(sample, rng);
  if (!t.ok()) return t.status();
  return t->image.unsqueeze(0);
}

// Per-class scores (C, H, W) at the original image size, calibrated on `seen` (indices into the classes).
at::Tensor Scores(const config::Experiment& e, model::ZegClipSegmentorImpl& m, const at::Tensor& text,
                  const at::Tensor& image, int64_t height, int64_t width, const std::vector<int64_t>& seen) {
  torch::NoGradGuard no_grad;
  const at::Device device = text.device();
  auto logits_fn = [&](const at::Tensor& x) { return m.forward(x.to(device), text).back(); };
  model::InferenceOptions o = engine::InferenceOptionsFrom(e);
  // An image within one window is segmented whole, zero-padded (after normalisation, like mmseg's Pad) to a
  // multiple of the patch size; a larger one by the experiment's windows, whatever eval.mode says.
  o.mode = image.size(2) > o.crop || image.size(3) > o.crop ? model::InferenceMode::kSlide
                                                             : model::InferenceMode::kWhole;
  o.size_divisor = m.options().clip.patch_size;
  if (!seen.empty()) {
    model::ZeroShotSplit split = engine::ZeroShotSplitFrom(e);
    split.num_classes = text.size(0);
    split.seen = seen;
    o.offset_classes = model::CalibratedClasses(split);
    o.seen_offset = e.model().seen_score_offset();
  }
  return model::ResizeScores(model::Scores(logits_fn, image, o), height, width)[0].cpu();
}

// Well-separated colours: hues stepped by the golden ratio, bright and saturated.
Palette ClassPalette() {
  Palette palette{};
  for (int k = 0; k < 256; ++k) {
    const double hue = std::fmod(0.07 + 0.618033988749895 * k, 1.0) * 6.0, s = 0.75, v = 0.95;
    const double c = v * s, x = c * (1 - std::fabs(std::fmod(hue, 2.0) - 1)), m = v - c;
    const int sector = static_cast<int>(hue);
    const std::array<double, 3> rgb = sector == 0   ? std::array<double, 3>{c, x, 0}
                                      : sector == 1 ? std::array<double, 3>{x, c, 0}
                                      : sector == 2 ? std::array<double, 3>{0, c, x}
                                      : sector == 3 ? std::array<double, 3>{0, x, c}
                                      : sector == 4 ? std::array<double, 3>{x, 0, c}
                                                    : std::array<double, 3>{c, 0, x};
    for (int i = 0; i < 3; ++i) palette[k][i] = static_cast<uint8_t>(std::lround(255 * (rgb[i] + m)));
  }
  return palette;
}

struct ClassShare {
  std::string name;
  int64_t pixels = 0;
  double fraction = 0;
};

// One share per class in --classes order; pixels left unlabelled (value kUnlabelled) are counted by Unlabelled().
constexpr int64_t kUnlabelled = 255;

std::vector<ClassShare> Shares(const at::Tensor& labels, const std::vector<std::string>& names) {
  const at::Tensor counts = at::bincount(labels.flatten().to(at::kLong), {}, kUnlabelled + 1);
  std::vector<ClassShare> shares;
  for (size_t k = 0; k < names.size(); ++k) {
    const int64_t n = counts[static_cast<int64_t>(k)].item<int64_t>();
    shares.push_back({names[k], n, static_cast<double>(n) / static_cast<double>(labels.numel())});
  }
  return shares;
}

ClassShare Unlabelled(const at::Tensor& labels) {
  const int64_t n = labels.eq(kUnlabelled).sum().item<int64_t>();
  return {"(unlabelled)", n, static_cast<double>(n) / static_cast<double>(labels.numel())};
}

// argmax over the classes; pixels whose best score is below --min_score become kUnlabelled.
at::Tensor LabelsAboveMinScore(const at::Tensor& scores) {
  auto [best, labels] = scores.max(0);
  labels = at::where(best.lt(FLAGS_min_score), at::full_like(labels, kUnlabelled), labels);
  return labels.to(at::kByte).contiguous();
}

// The image blended half-and-half with the class colours, enlarged by an integer factor to a short side >= 256,
// with a legend panel on the right: one coloured box, name and percentage per class.
at::Tensor Overlay(const at::Tensor& rgb, const at::Tensor& labels, const std::vector<ClassShare>& shares,
                   const Palette& palette) {
  at::Tensor colours = at::empty({256, 3}, at::kByte);
  for (int k = 0; k < 256; ++k) {
    for (int i = 0; i < 3; ++i) colours[k][i] = palette[k][i];
  }
  at::Tensor blend = (rgb.to(at::kFloat) * 0.5 + colours.index_select(0, labels.flatten().to(at::kLong))
                                                         .view({labels.size(0), labels.size(1), 3})
                                                         .to(at::kFloat) * 0.5).round().to(at::kByte);
  blend = at::where(labels.eq(kUnlabelled).unsqueeze(-1), rgb, blend);  // unlabelled pixels keep the image
  // Enlarged to a short side >= 256, but never past kMaxOverlayPixels: a 1-pixel strip would otherwise grow 256-fold
  // in both directions.
  constexpr int64_t kMaxOverlayPixels = int64_t{1} << 22;
  const int64_t pixels = rgb.size(0) * rgb.size(1);
  int64_t scale = std::max<int64_t>(1, (256 + std::min(rgb.size(0), rgb.size(1)) - 1) /
                                           std::min(rgb.size(0), rgb.size(1)));
  while (scale > 1 && scale * scale * pixels > kMaxOverlayPixels) --scale;
  blend = blend.repeat_interleave(scale, 0).repeat_interleave(scale, 1).contiguous();
  const int rows = static_cast<int>(blend.size(0)), cols = static_cast<int>(blend.size(1));
  const int row_height = 20, panel = 240;
  const int height = std::max(rows, 12 + row_height * static_cast<int>(shares.size()));
  cv::Mat canvas(height, cols + panel, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::Mat(rows, cols, CV_8UC3, blend.data_ptr<uint8_t>()).copyTo(canvas(cv::Rect(0, 0, cols, rows)));
  for (size_t k = 0; k < shares.size(); ++k) {
    const int y = 8 + row_height * static_cast<int>(k);
    const cv::Scalar colour(palette[k][0], palette[k][1], palette[k][2]);  // the canvas is RGB
    cv::rectangle(canvas, cv::Rect(cols + 8, y, 14, 14), colour, cv::FILLED);
    cv::rectangle(canvas, cv::Rect(cols + 8, y, 14, 14), cv::Scalar(0, 0, 0), 1);
    const std::string text = absl::StrFormat("%s  %.1f%%", shares[k].name, 100 * shares[k].fraction);
    cv::putText(canvas, text, cv::Point(cols + 28, y + 12), cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(0, 0, 0), 1,
                cv::LINE_AA);
  }
  return at::from_blob(canvas.data, {canvas.rows, canvas.cols, 3}, at::kByte).clone();
}

absl::Status WriteFractions(const std::string& path, const std::vector<ClassShare>& shares,
                            const ClassShare& unlabelled, int64_t height, int64_t width) {
  nlohmann::ordered_json j;
  j["image"] = FLAGS_image;
  j["height"] = height;
  j["width"] = width;
  j["classes"] = nlohmann::json::array();
  for (const ClassShare& s : shares) j["classes"].push_back({{"name", s.name}, {"pixels", s.pixels}, {"fraction", s.fraction}});
  j["min_score"] = FLAGS_min_score;
  j["unlabelled"] = {{"pixels", unlabelled.pixels}, {"fraction", unlabelled.fraction}};
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out.flush()) return absl::DataLossError(absl::StrCat(path, ": cannot write"));
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return absl::InternalError(absl::StrCat(path, ": cannot rename ", temp, " into place: ", ec.message()));
  return absl::OkStatus();
}

absl::Status Segment(const config::Experiment& e, const std::vector<std::string>& names,
                     const std::vector<int64_t>& seen) {
  absl::StatusOr<at::Tensor> rgb = data::ReadRgbImage(FLAGS_image);
  if (!rgb.ok()) return rgb.status();
  const int64_t classes = static_cast<int64_t>(names.size());
  if (absl::Status s = CheckImageSize(rgb->size(0), rgb->size(1), classes); !s.ok()) return s;
  absl::StatusOr<at::Tensor> image = Preprocess(e, *rgb);
  if (!image.ok()) return image.status();
  const at::Device device = torch::cuda::is_available() ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  absl::StatusOr<model::ZegClipSegmentor> model = BuildModel(e, device);
  if (!model.ok()) return model.status();
  absl::StatusOr<clip::BpeTokenizer> tokenizer = LoadTokenizer(e, **model, names);
  if (!tokenizer.ok()) return tokenizer.status();
  const at::Tensor text = (*model)->EmbedClasses(*tokenizer, names, engine::TemplatesFrom(e.model()));
  const int64_t height = rgb->size(0), width = rgb->size(1);
  const at::Tensor scores = Scores(e, **model, text, *image, height, width, seen);
  const at::Tensor labels = LabelsAboveMinScore(scores);
  const std::vector<ClassShare> shares = Shares(labels, names);
  const ClassShare unlabelled = Unlabelled(labels);
  absl::Status s = engine::MakeDirectories(FLAGS_out);
  const Palette palette = ClassPalette();
  if (s.ok()) s = data::WriteIndexPng(FLAGS_out + "/labels.png", labels, &palette);
  if (s.ok()) s = data::WriteRgbImage(FLAGS_out + "/overlay.png", Overlay(*rgb, labels, shares, palette));
  if (s.ok()) s = WriteFractions(FLAGS_out + "/fractions.json", shares, unlabelled, height, width);
  if (s.ok() && !FLAGS_scores_out.empty()) s = clip::WriteNpy(FLAGS_scores_out, scores.contiguous());
  if (!s.ok()) return s;
  std::cout << absl::StrFormat("%s (%dx%d), %d classes:\n", FLAGS_image, width, height, names.size());
  for (const ClassShare& share : shares) {
    std::cout << absl::StrFormat("  %-24s %6.2f%%  (%d pixels)\n", share.name, 100 * share.fraction, share.pixels);
  }
  if (FLAGS_min_score > 0) {
    std::cout << absl::StrFormat("  %-24s %6.2f%%  (%d pixels, best score < %g)\n", unlabelled.name,
                                 100 * unlabelled.fraction, unlabelled.pixels, FLAGS_min_score);
  }
  std::cout << "  written: " << FLAGS_out << "/{labels.png, overlay.png, fractions.json}\n";
  if (!FLAGS_scores_out.empty()) std::cout << "  scores: " << FLAGS_scores_out << "\n";
  return absl::OkStatus();
}

}  // namespace

int RunSegment(const CommandLine& command_line) {
  absl::Status status = CheckFlags();
  absl::StatusOr<std::vector<std::string>> names = ParseClassList(FLAGS_classes);
  if (status.ok() && !names.ok()) status = names.status();
  absl::StatusOr<std::vector<int64_t>> seen = std::vector<int64_t>{};
  if (status.ok()) seen = ParseSeenClasses(FLAGS_seen_classes, *names);
  if (status.ok() && !seen.ok()) status = seen.status();
  // Its files would sit among a run's own; said before the model is built.
  if (status.ok()) {
    status = engine::CheckNotATrainingRun(FLAGS_out, "--out", "segment",
                                  "put its labels.png, overlay.png and fractions.json among the run's files");
  }
  absl::StatusOr<std::string> config_path = absl::UnknownError("not resolved");
  if (status.ok()) config_path = ConfigPath();
  if (status.ok() && !config_path.ok()) status = config_path.status();
  absl::StatusOr<config::Experiment> experiment = absl::UnknownError("not loaded");
  if (status.ok()) {
    experiment = config::LoadExperiment(*config_path, command_line.overrides);
    if (!experiment.ok()) status = experiment.status();
  }
  if (status.ok()) {
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    try {
      status = Segment(*experiment, *names, *seen);
    } catch (const c10::Error& error) {
      status = absl::InternalError(error.what_without_backtrace());
    }
  }
  if (status.ok()) return 0;
  const std::string message(status.message());
  std::cerr << "error: " << message.substr(0, message.find('\n')) << "\n";
  return 1;
}

}  // namespace zegclip::tools

#endif  // ZEGCLIP_WITHOUT_READERS
