#include "data/transforms.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "data/image_ops.h"

namespace zegclip::data {
namespace {

// numpy's `(img.astype(float32) * alpha + beta).clip(0, 255).astype(uint8)`: float32 arithmetic, truncation.
void ConvertInPlace(uint8_t* data, int64_t count, int64_t stride, float alpha, float beta) {
  for (int64_t i = 0; i < count; ++i) {
    uint8_t& p = data[i * stride];
    const float v = static_cast<float>(p) * alpha + beta;
    p = static_cast<uint8_t>(std::min(255.f, std::max(0.f, v)));
  }
}

void RandomContrast(at::Tensor& image, const TransformOptions& o, SampleRng& rng) {
  if (!rng.Bernoulli(0.5)) return;
  const float alpha = static_cast<float>(rng.Uniform(o.contrast_min, o.contrast_max));
  ConvertInPlace(image.data_ptr<uint8_t>(), image.numel(), 1, alpha, 0.f);
}

void RandomSaturation(at::Tensor& image, const TransformOptions& o, SampleRng& rng) {
  if (!rng.Bernoulli(0.5)) return;
  const float alpha = static_cast<float>(rng.Uniform(o.saturation_min, o.saturation_max));
  at::Tensor hsv = RgbToHsv(image);
  ConvertInPlace(hsv.data_ptr<uint8_t>() + 1, hsv.numel() / 3, 3, alpha, 0.f);
  image = HsvToRgb(hsv);
}

void RandomHue(at::Tensor& image, const TransformOptions& o, SampleRng& rng) {
  if (!rng.Bernoulli(0.5)) return;
  // numpy's randint(-d, d) excludes its upper bound.
  const int delta = o.hue_delta > 0 ? static_cast<int>(rng.UniformInt(-o.hue_delta, o.hue_delta - 1)) : 0;
  at::Tensor hsv = RgbToHsv(image);
  uint8_t* h = hsv.data_ptr<uint8_t>();
  for (int64_t i = 0; i < hsv.numel(); i += 3) h[i] = static_cast<uint8_t>(((h[i] + delta) % 180 + 180) % 180);
  image = HsvToRgb(hsv);
}

std::string Describe(const at::Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  std::string sizes;
  for (int64_t i = 0; i < t.dim(); ++i) absl::StrAppend(&sizes, i ? ", " : "", t.size(i));
  return absl::StrCat(std::string(c10::toString(t.scalar_type())), " (", sizes, ")");
}

}  // namespace

namespace {

// mmcv.rescale_size with a (possibly fractional) target scale: factor = min(long / max(h, w), short / min(h, w)).
std::pair<int64_t, int64_t> RescaleToEdges(int64_t height, int64_t width, double edge_a, double edge_b) {
  const double long_edge = std::max(edge_a, edge_b), short_edge = std::min(edge_a, edge_b);
  const double factor = std::min(long_edge / static_cast<double>(std::max(height, width)),
                                 short_edge / static_cast<double>(std::min(height, width)));
  const auto scaled = [factor](int64_t v) {
    return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(v) * factor + 0.5));
  };
  return {scaled(height), scaled(width)};
}

}  // namespace

std::pair<int64_t, int64_t> RescaleSize(int64_t height, int64_t width, int64_t scale_long, int64_t scale_short) {
  return RescaleToEdges(height, width, static_cast<double>(scale_long), static_cast<double>(scale_short));
}

std::pair<int64_t, int64_t> RescaleSizeWithMinSize(int64_t height, int64_t width, int64_t scale_long,
                                                   int64_t scale_short, int64_t min_size) {
  if (min_size <= 0) return RescaleSize(height, width, scale_long, scale_short);
  const int64_t new_short = std::max(std::min(scale_long, scale_short), min_size);
  // mmseg: (new_short * h / w, new_short) if h > w else (new_short, new_short * w / h), in Python's float division.
  const double scaled_long = height > width
                                 ? static_cast<double>(new_short * height) / static_cast<double>(width)
                                 : static_cast<double>(new_short * width) / static_cast<double>(height);
  return RescaleToEdges(height, width, scaled_long, static_cast<double>(new_short));
}

Sample ResizeSample(const Sample& sample, int64_t height, int64_t width) {
  Sample out = sample;  // caption, id and key travel unchanged
  out.image = ResizeBilinear(sample.image, height, width);
  out.label = ResizeNearest(sample.label, height, width);
  return out;
}

Sample RandomResize(const Sample& sample, const TransformOptions& options, SampleRng& rng) {
  const double ratio = rng.Uniform(options.ratio_min, options.ratio_max);
  const auto scale_long = static_cast<int64_t>(static_cast<double>(options.scale_long) * ratio);
  const auto scale_short = static_cast<int64_t>(static_cast<double>(options.scale_short) * ratio);
  const auto [h, w] = RescaleSize(sample.image.size(0), sample.image.size(1), scale_long, scale_short);
  return ResizeSample(sample, h, w);
}

CropBox ChooseCrop(const at::Tensor& label, int64_t crop_height, int64_t crop_width, double cat_max_ratio,
                   SampleRng& rng) {
  const int64_t height = label.size(0), width = label.size(1);
  const int64_t margin_h = std::max<int64_t>(height - crop_height, 0);
  const int64_t margin_w = std::max<int64_t>(width - crop_width, 0);
  auto draw = [&] {
    const int64_t y0 = rng.UniformInt(0, margin_h), x0 = rng.UniformInt(0, margin_w);
    return CropBox{y0, x0, std::min(crop_height, height), std::min(crop_width, width)};
  };
  CropBox box = draw();
  if (cat_max_ratio >= 1.0) return box;
  const at::Tensor lab = label.contiguous();
  const uint8_t* data = lab.data_ptr<uint8_t>();
  for (int attempt = 0; attempt < 10; ++attempt) {
    int64_t counts[256] = {0};
    for (int64_t y = box.y0; y < box.y0 + box.height; ++y) {
      const uint8_t* row = data + y * width + box.x0;
      for (int64_t x = 0; x < box.width; ++x) ++counts[row[x]];
    }
    int64_t classes = 0, total = 0, largest = 0;
    for (int c = 0; c < 256; ++c) {
      if (c == kIgnoreLabel || counts[c] == 0) continue;
      ++classes, total += counts[c], largest = std::max(largest, counts[c]);
    }
    if (classes > 1 && static_cast<double>(largest) / static_cast<double>(total) < cat_max_ratio) break;
    box = draw();
  }
  return box;
}

Sample CropSample(const Sample& sample, const CropBox& box) {
  auto crop = [&](const at::Tensor& t) {
    return t.slice(0, box.y0, box.y0 + box.height).slice(1, box.x0, box.x0 + box.width).contiguous();
  };
  Sample out = sample;
  out.image = crop(sample.image);
  out.label = crop(sample.label);
  return out;
}

Sample FlipHorizontal(const Sample& sample) {
  Sample out = sample;
  out.image = sample.image.flip({1}).contiguous();
  out.label = sample.label.flip({1}).contiguous();
  return out;
}

at::Tensor PhotometricDistortion(const at::Tensor& image, const TransformOptions& options, SampleRng& rng) {
  at::Tensor out = image.contiguous().clone();
  if (rng.Bernoulli(0.5)) {
    const float beta = static_cast<float>(rng.Uniform(-options.brightness_delta, options.brightness_delta));
    ConvertInPlace(out.data_ptr<uint8_t>(), out.numel(), 1, 1.f, beta);
  }
  const bool contrast_first = rng.Bernoulli(0.5);  // mmseg's mode == 1
  if (contrast_first) RandomContrast(out, options, rng);
  RandomSaturation(out, options, rng);
  RandomHue(out, options, rng);
  if (!contrast_first) RandomContrast(out, options, rng);
  return out;
}

at::Tensor NormalizeImage(const at::Tensor& image, const std::array<float, 3>& mean, const std::array<float, 3>& std) {
  TORCH_CHECK(image.dim() == 3 && image.size(2) == 3, "NormalizeImage: expected (H, W, 3), got ", image.sizes());
  const at::Tensor m = at::tensor({mean[0], mean[1], mean[2]}, at::kFloat).view({3, 1, 1});
  const at::Tensor inv = at::tensor({static_cast<float>(1.0 / std[0]), static_cast<float>(1.0 / std[1]),
                                     static_cast<float>(1.0 / std[2])},
                                    at::kFloat)
                             .view({3, 1, 1});
  return image.permute({2, 0, 1}).to(at::kFloat).sub(m).mul(inv).contiguous();
}

TransformedSample PadSample(TransformedSample sample, int64_t height, int64_t width) {
  const int64_t h = sample.image.size(1), w = sample.image.size(2);
  if (h >= height && w >= width) return sample;
  const int64_t ph = std::max(h, height), pw = std::max(w, width);
  at::Tensor image = at::zeros({sample.image.size(0), ph, pw}, sample.image.options());
  image.slice(1, 0, h).slice(2, 0, w).copy_(sample.image);
  at::Tensor label = at::full({ph, pw}, kIgnoreLabel, sample.label.options());
  label.slice(0, 0, h).slice(1, 0, w).copy_(sample.label);
  sample.image = image;
  sample.label = label;
  return sample;
}

absl::Status ValidateSample(const Sample& sample) {
  const at::Tensor& img = sample.image;
  const at::Tensor& lab = sample.label;
  if (!img.defined() || img.scalar_type() != at::kByte || img.dim() != 3 || img.size(2) != 3 || img.numel() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("sample ", sample.id, ": image must be uint8 (H, W, 3), got ", Describe(img)));
  }
  if (!lab.defined() || lab.scalar_type() != at::kByte || lab.dim() != 2 || lab.size(0) != img.size(0) ||
      lab.size(1) != img.size(1)) {
    return absl::InvalidArgumentError(absl::StrCat("sample ", sample.id, ": label must be uint8 (", img.size(0), ", ",
                                                   img.size(1), ") like the image, got ", Describe(lab)));
  }
  return absl::OkStatus();
}

absl::StatusOr<TransformedSample> TrainPipeline::operator()(Sample sample, SampleRng& rng) const {
  if (absl::Status s = ValidateSample(sample); !s.ok()) return s;
  const TransformOptions& o = options_;
  Sample s = std::move(sample);
  if (o.random_resize) s = RandomResize(s, o, rng);
  const bool crop = o.crop_height > 0 && o.crop_width > 0;
  if (crop) s = CropSample(s, ChooseCrop(s.label, o.crop_height, o.crop_width, o.cat_max_ratio, rng));
  if (rng.Bernoulli(o.flip_prob)) s = FlipHorizontal(s);
  if (o.photometric) s.image = PhotometricDistortion(s.image, o, rng);
  TransformedSample t{NormalizeImage(s.image, o.mean, o.std), s.label.to(at::kLong), std::move(s.caption),
                      std::move(s.id), std::move(s.caption_key)};
  if (crop) t = PadSample(std::move(t), o.crop_height, o.crop_width);
  return t;
}

absl::StatusOr<TransformedSample> TestPipeline::operator()(Sample sample, SampleRng& /*rng*/) const {
  if (absl::Status s = ValidateSample(sample); !s.ok()) return s;
  const TransformOptions& o = options_;
  at::Tensor image = sample.image;
  if (o.test_short_side > 0 && o.test_long_side_max > 0) {
    const auto [h, w] = RescaleSizeWithMinSize(image.size(0), image.size(1), o.test_long_side_max, o.test_short_side,
                                               o.test_min_size);
    // min_size leaves the long side uncapped: a 1-pixel-high strip would become a resize of billions of pixels.
    if (h * w > kMaxTestPixels) {
      return absl::ResourceExhaustedError(absl::StrCat(
          sample.id, ": the test resize makes this ", image.size(1), "x", image.size(0), " image ", w, "x", h,
          " pixels (eval.test_min_size / eval.test_short_side), more than the ", kMaxTestPixels, " allowed"));
    }
    if (h != image.size(0) || w != image.size(1)) image = ResizeBilinear(image, h, w);
  }
  return TransformedSample{NormalizeImage(image, o.mean, o.std), sample.label.to(at::kLong),
                           std::move(sample.caption), std::move(sample.id), std::move(sample.caption_key)};
}

}  // namespace zegclip::data
