#include "zegclip/engine/segment_image.h"

#include <torch/autograd.h>
#include <torch/cuda.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "data/image_io.h"
#include "data/transforms.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/base/npy_io.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/engine/segmentor_builder.h"
#include "zegclip/model/inference.h"
#include "zegclip/model/zero_shot_setting.h"
#include "zegclip/base/atomic_file.h"

namespace zegclip::engine {

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

namespace {

using Palette = std::array<std::array<uint8_t, 3>, 256>;

// The tokenizer, checked against the text encoder; every prompt of every class must fit its context.
absl::StatusOr<clip::BpeTokenizer> LoadTokenizer(const config::Experiment& e, const model::ZegClipSegmentorImpl& m,
                                                 const SegmentOptions& o) {
  const std::vector<std::string>& names = o.classes;
  const std::string merges = o.bpe_vocab.empty() ? BpeVocabPath(e.model().clip()) : o.bpe_vocab;
  absl::StatusOr<clip::BpeTokenizer> tokenizer =
      LoadCheckedTokenizer(m, merges, o.bpe_vocab.empty() ? "model.clip.bpe_vocab" : "--bpe_vocab", "the model",
                           "pass that CLIP's vocabulary with --bpe_vocab");
  if (!tokenizer.ok()) return tokenizer.status();
  const clip::ClipOptions& c = m.options().clip;
  for (const std::string& pattern : TemplatesFrom(e.model())) {
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
absl::Status CheckImageSize(int64_t height, int64_t width, const SegmentOptions& o) {
  const int64_t classes = static_cast<int64_t>(o.classes.size());
  const int64_t pixels = height * width;
  if (pixels > o.max_pixels) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "--image=%s: %dx%d is %d pixels, more than --max_pixels=%d (raise it if the machine has the memory: about "
        "40 bytes per pixel, or downscale the image)", o.image, width, height, pixels, o.max_pixels));
  }
  if (pixels * classes > o.max_scores) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "--image=%s: %dx%d pixels x %d classes is %d scores, more than --max_scores=%d (the float32 score map would "
        "take %.1f GiB; raise --max_scores, give fewer classes or downscale the image)", o.image, width, height,
        classes, pixels * classes, o.max_scores, 4.0 * static_cast<double>(pixels * classes) / (1 << 30)));
  }
  return absl::OkStatus();
}

// The experiment's test transforms: uint8 (H, W, 3) -> normalised float (1, 3, h, w).
absl::StatusOr<at::Tensor> Preprocess(const config::Experiment& e, const at::Tensor& rgb, const std::string& name) {
  data::Sample sample{rgb, at::zeros({rgb.size(0), rgb.size(1)}, at::kByte), "", name};
  data::SampleRng rng(uint64_t{0});
  absl::StatusOr<data::TransformedSample> t = data::TestPipeline(TestTransformsFrom(e.data(), e.eval()))(sample, rng);
  if (!t.ok()) return t.status();
  return t->image.unsqueeze(0);
}

// Per-class scores (C, H, W) at the original image size, calibrated on `seen` (indices into the classes).
at::Tensor Scores(const config::Experiment& e, model::ZegClipSegmentorImpl& m, const at::Tensor& text,
                  const at::Tensor& image, int64_t height, int64_t width, const std::vector<int64_t>& seen) {
  torch::NoGradGuard no_grad;
  const at::Device device = text.device();
  auto logits_fn = [&](const at::Tensor& x) { return m.forward(x.to(device), text).back(); };
  model::InferenceOptions o = InferenceOptionsFrom(e);
  // An image within one window is segmented whole, zero-padded (after normalisation, like mmseg's Pad) to a
  // multiple of the patch size; a larger one by the experiment's windows, whatever eval.mode says.
  o.mode = image.size(2) > o.crop || image.size(3) > o.crop ? model::InferenceMode::kSlide
                                                             : model::InferenceMode::kWhole;
  o.size_divisor = m.options().clip.patch_size;
  if (!seen.empty()) {
    model::ZeroShotSplit split = ZeroShotSplitFrom(e);
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

// One share per class in --classes order; pixels left unlabelled (kUnlabelled) are counted by Unlabelled().
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
at::Tensor LabelsAboveMinScore(const at::Tensor& scores, double min_score) {
  auto [best, labels] = scores.max(0);
  labels = at::where(best.lt(min_score), at::full_like(labels, kUnlabelled), labels);
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

absl::Status WriteFractions(const std::string& path, const SegmentResult& r, const SegmentOptions& o) {
  nlohmann::ordered_json j;
  j["image"] = o.image;
  j["height"] = r.height;
  j["width"] = r.width;
  j["classes"] = nlohmann::json::array();
  for (const ClassShare& s : r.shares) j["classes"].push_back({{"name", s.name}, {"pixels", s.pixels}, {"fraction", s.fraction}});
  j["min_score"] = o.min_score;
  j["unlabelled"] = {{"pixels", r.unlabelled.pixels}, {"fraction", r.unlabelled.fraction}};
  return base::WriteFileAtomically(path, j.dump(2) + "\n");
}

}  // namespace

absl::Status CheckSegmentOptions(const SegmentOptions& o) {
  if (o.max_pixels < 1 || o.max_scores < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_pixels and --max_scores must be >= 1, got ", o.max_pixels, " and ", o.max_scores));
  }
  if (!(o.min_score >= 0 && o.min_score < 1)) {
    return absl::InvalidArgumentError(absl::StrCat("--min_score must be in [0, 1), got ", o.min_score));
  }
  return absl::OkStatus();
}

absl::StatusOr<SegmentResult> SegmentImage(const config::Experiment& e, const SegmentorFactory& build,
                                           const SegmentOptions& o) {
  if (absl::Status s = CheckSegmentOptions(o); !s.ok()) return s;
  absl::StatusOr<at::Tensor> rgb = data::ReadRgbImage(o.image);
  if (!rgb.ok()) return rgb.status();
  if (absl::Status s = CheckImageSize(rgb->size(0), rgb->size(1), o); !s.ok()) return s;
  absl::StatusOr<at::Tensor> image = Preprocess(e, *rgb, o.image);
  if (!image.ok()) return image.status();
  const at::Device device = torch::cuda::is_available() ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  absl::StatusOr<model::ZegClipSegmentor> model = build();
  if (!model.ok()) return model.status();
  (*model)->to(device);
  (*model)->eval();
  absl::StatusOr<clip::BpeTokenizer> tokenizer = LoadTokenizer(e, **model, o);
  if (!tokenizer.ok()) return tokenizer.status();
  const at::Tensor text = (*model)->EmbedClasses(*tokenizer, o.classes, TemplatesFrom(e.model()));
  SegmentResult r;
  r.height = rgb->size(0);
  r.width = rgb->size(1);
  const at::Tensor scores = Scores(e, **model, text, *image, r.height, r.width, o.seen);
  const at::Tensor labels = LabelsAboveMinScore(scores, o.min_score);
  r.shares = Shares(labels, o.classes);
  r.unlabelled = Unlabelled(labels);
  absl::Status s = MakeDirectories(o.out);
  const Palette palette = ClassPalette();
  if (s.ok()) s = data::WriteIndexPng(o.out + "/labels.png", labels, &palette);
  if (s.ok()) s = data::WriteRgbImage(o.out + "/overlay.png", Overlay(*rgb, labels, r.shares, palette));
  if (s.ok()) s = WriteFractions(o.out + "/fractions.json", r, o);
  if (s.ok() && !o.scores_out.empty()) s = base::WriteNpy(o.scores_out, scores.contiguous());
  if (!s.ok()) return s;
  return r;
}

std::string FormatSegmentResult(const SegmentOptions& o, const SegmentResult& r) {
  std::string out = absl::StrFormat("%s (%dx%d), %d classes:\n", o.image, r.width, r.height, o.classes.size());
  for (const ClassShare& share : r.shares) {
    absl::StrAppendFormat(&out, "  %-24s %6.2f%%  (%d pixels)\n", share.name, 100 * share.fraction, share.pixels);
  }
  if (o.min_score > 0) {
    absl::StrAppendFormat(&out, "  %-24s %6.2f%%  (%d pixels, best score < %g)\n", r.unlabelled.name,
                          100 * r.unlabelled.fraction, r.unlabelled.pixels, o.min_score);
  }
  absl::StrAppend(&out, "  written: ", o.out, "/{labels.png, overlay.png, fractions.json}\n");
  if (!o.scores_out.empty()) absl::StrAppend(&out, "  scores: ", o.scores_out, "\n");
  return out;
}

}  // namespace zegclip::engine
