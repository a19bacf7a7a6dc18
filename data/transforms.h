// mmsegmentation's training and test pipelines on Sample tensors, step for step (Resize with ratio_range,
// RandomCrop with cat_max_ratio, RandomFlip, PhotoMetricDistortion, Normalize, Pad), with OpenCV's pixel
// arithmetic reproduced by image_ops.h, so no OpenCV is needed. Every random choice comes from a SampleRng keyed by
// (seed, epoch, sample index): a sample is augmented identically whatever the worker count or rank.
//
// Example:
//   TransformOptions options;                        // the paper's VOC/COCO recipe (512 crops)
//   TrainPipeline train(options);
//   SampleRng rng(seed, epoch, index);
//   absl::StatusOr<TransformedSample> t = train(std::move(sample), rng);   // float (3,512,512), int64 (512,512)
//
//   TestPipeline test(options);                      // short side 512, long side <= 2048; label left as it was
//
// For the synthetic world: random_resize = false, flip_prob = 0 (a flip turns "/" stripes into "\"),
// photometric = false (a hue shift changes an object's colour, which is half its class).
#ifndef ZEGCLIP_DATA_TRANSFORMS_H_
#define ZEGCLIP_DATA_TRANSFORMS_H_

#include <array>
#include <cstdint>
#include <utility>

#include "absl/status/statusor.h"
#include "data/sample.h"
#include "data/sample_rng.h"

namespace zegclip::data {

struct TransformOptions {
  // Train: Resize(img_scale=(scale_long, scale_short), ratio_range=(ratio_min, ratio_max), keep_ratio=True).
  bool random_resize = true;
  int64_t scale_long = 2048, scale_short = 512;
  double ratio_min = 0.5, ratio_max = 2.0;
  // Train: RandomCrop(crop_size, cat_max_ratio) and Pad(size=crop_size, pad_val=0, seg_pad_val=255).
  // crop_height/width 0: no crop, no pad.
  int64_t crop_height = 512, crop_width = 512;
  double cat_max_ratio = 0.75;
  // Train: RandomFlip(prob) (horizontal).
  double flip_prob = 0.5;
  // Train: PhotoMetricDistortion (each step with probability 0.5).
  bool photometric = true;
  double brightness_delta = 32;
  double contrast_min = 0.5, contrast_max = 1.5;
  double saturation_min = 0.5, saturation_max = 1.5;
  int64_t hue_delta = 18;  // OpenCV hue units (degrees / 2)
  // Both: Normalize (RGB order).
  std::array<float, 3> mean = {123.675f, 116.28f, 103.53f};
  std::array<float, 3> std = {58.395f, 57.12f, 57.375f};
  // Test: Resize(img_scale=(test_long_side_max, test_short_side), keep_ratio=True, min_size=test_min_size); 0: no
  // resize (short side or long side) / no min_size.
  int64_t test_short_side = 512, test_long_side_max = 2048;
  int64_t test_min_size = 512;
};

// ------------------------------------------------------------------ the steps (each usable on its own)

// mmcv.rescale_size: the largest (height, width) with the same aspect ratio whose long side is <= scale_long and
// short side <= scale_short, rounded as int(x * factor + 0.5).
std::pair<int64_t, int64_t> RescaleSize(int64_t height, int64_t width, int64_t scale_long, int64_t scale_short);

// mmseg's Resize(keep_ratio=True, min_size=M) at scale (scale_long, scale_short): the short side becomes
// max(min(scale_long, scale_short), M) and the long side follows the aspect ratio, with NO cap on the long side
// (mmseg replaces the scale by that target before mmcv.imrescale). So with the authors' (2048, 512) and M = 512
// every test image gets a short side of exactly 512 and every sliding window is full, where RescaleSize would stop a
// 6:1 image at a long side of 2048 (short side 341). min_size <= 0: RescaleSize.
std::pair<int64_t, int64_t> RescaleSizeWithMinSize(int64_t height, int64_t width, int64_t scale_long,
                                                   int64_t scale_short, int64_t min_size);

// Bilinear (image) / nearest (label) resize to exactly (height, width).
Sample ResizeSample(const Sample& sample, int64_t height, int64_t width);

// mmseg Resize with ratio_range: ratio ~ U(min, max), scale = (int(long * ratio), int(short * ratio)), rescale.
Sample RandomResize(const Sample& sample, const TransformOptions& options, SampleRng& rng);

struct CropBox {
  int64_t y0, x0, height, width;
};

// mmseg RandomCrop.get_crop_bbox plus the cat_max_ratio retries: up to 10 boxes are tried until one holds more than
// one class and none above cat_max_ratio of its non-ignored pixels; after 10 failures the 11th box drawn is used
// unchecked (as mmseg does). An image smaller than the crop gives a box of the whole image along that side.
CropBox ChooseCrop(const at::Tensor& label, int64_t crop_height, int64_t crop_width, double cat_max_ratio,
                   SampleRng& rng);
Sample CropSample(const Sample& sample, const CropBox& box);

Sample FlipHorizontal(const Sample& sample);

// mmseg PhotoMetricDistortion on a uint8 (H, W, 3) RGB image: brightness, then contrast first (mode 1) or last
// (mode 0), saturation and hue in OpenCV's 8-bit HSV in between; every step with probability 0.5; values are
// clipped to [0, 255] and truncated to uint8 after each step, as numpy's astype does.
at::Tensor PhotometricDistortion(const at::Tensor& image, const TransformOptions& options, SampleRng& rng);

// uint8 (H, W, 3) RGB -> float32 (3, H, W): (x - mean) / std.
at::Tensor NormalizeImage(const at::Tensor& image, const std::array<float, 3>& mean, const std::array<float, 3>& std);

// Pads at the bottom and right to (height, width): image with 0 (after normalisation, as mmseg's Pad), label with
// 255. Larger inputs are left as they are.
TransformedSample PadSample(TransformedSample sample, int64_t height, int64_t width);

// Checks a reader's output: uint8 (H, W, 3) image and uint8 (H, W) label of the same size. Names the sample.
absl::Status ValidateSample(const Sample& sample);

// ------------------------------------------------------------------ the pipelines

// Resize -> RandomCrop -> RandomFlip -> PhotoMetricDistortion -> Normalize -> Pad; label to int64.
class TrainPipeline {
 public:
  explicit TrainPipeline(TransformOptions options) : options_(std::move(options)) {}
  absl::StatusOr<TransformedSample> operator()(Sample sample, SampleRng& rng) const;
  const TransformOptions& options() const { return options_; }

 private:
  TransformOptions options_;
};

// Resize keeping the ratio (short side test_short_side, long side <= test_long_side_max) -> Normalize. The label
// keeps the original resolution (mmseg evaluates there): resize predictions to the label's size before scoring.
// The most pixels the test resize may produce (as data/image_header.h's limit on a file: 2^28); above it the sample
// is an error instead of an allocation of gigabytes.
inline constexpr int64_t kMaxTestPixels = int64_t{1} << 28;

class TestPipeline {
 public:
  explicit TestPipeline(TransformOptions options) : options_(std::move(options)) {}
  absl::StatusOr<TransformedSample> operator()(Sample sample, SampleRng& rng) const;
  const TransformOptions& options() const { return options_; }

 private:
  TransformOptions options_;
};

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_TRANSFORMS_H_
