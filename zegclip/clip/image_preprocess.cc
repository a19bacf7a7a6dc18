#include "zegclip/clip/image_preprocess.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace zegclip::clip {
namespace {

// PIL's Resample.c: 8-bit images are filtered with integer coefficients of 22 fractional bits.
constexpr int kPrecisionBits = 32 - 8 - 2;

double BicubicKernel(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// For each output position: the first input index, the tap count and the fixed-point weights
// (PIL's precompute_coeffs + normalize_coeffs_8bpc for box = [0, in_size)).
struct Coefficients {
  std::vector<int> first;
  std::vector<int> count;
  std::vector<std::vector<int32_t>> weights;
};

Coefficients PrecomputeCoefficients(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filter_scale = scale < 1.0 ? 1.0 : scale;  // widen the kernel when downscaling: antialiasing
  const double support = 2.0 * filter_scale;
  Coefficients c;
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    std::vector<double> k(xmax);
    double total = 0.0;
    for (int x = 0; x < xmax; ++x) {
      k[x] = BicubicKernel((x + xmin - center + 0.5) / filter_scale);
      total += k[x];
    }
    std::vector<int32_t> fixed(xmax);
    for (int x = 0; x < xmax; ++x) {
      const double w = total != 0.0 ? k[x] / total : k[x];
      fixed[x] = static_cast<int32_t>(w < 0 ? -0.5 + w * (1 << kPrecisionBits) : 0.5 + w * (1 << kPrecisionBits));
    }
    c.first.push_back(xmin);
    c.count.push_back(xmax);
    c.weights.push_back(std::move(fixed));
  }
  return c;
}

uint8_t Clip8(int32_t sum) {
  const int32_t v = sum >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

// One separable pass along an axis of an interleaved 3-channel uint8 image. `lines` independent lines; element i of
// line l is at l * line_stride + i * step (input and output have their own strides).
struct PassLayout {
  int64_t lines, in_line_stride, in_step, out_line_stride, out_step;
};

void ResamplePass(const uint8_t* in, uint8_t* out, const PassLayout& p, const Coefficients& c) {
  const int64_t out_size = static_cast<int64_t>(c.first.size());
  for (int64_t line = 0; line < p.lines; ++line) {
    const uint8_t* src = in + line * p.in_line_stride;
    uint8_t* dst = out + line * p.out_line_stride;
    for (int64_t o = 0; o < out_size; ++o) {
      int32_t sum[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
      const std::vector<int32_t>& w = c.weights[o];
      const uint8_t* tap = src + c.first[o] * p.in_step;
      for (int t = 0; t < c.count[o]; ++t, tap += p.in_step) {
        sum[0] += tap[0] * w[t];
        sum[1] += tap[1] * w[t];
        sum[2] += tap[2] * w[t];
      }
      uint8_t* px = dst + o * p.out_step;
      px[0] = Clip8(sum[0]);
      px[1] = Clip8(sum[1]);
      px[2] = Clip8(sum[2]);
    }
  }
}

void CheckRgb(const at::Tensor& rgb, const char* what) {
  TORCH_CHECK(rgb.dim() == 3 && rgb.size(2) == 3 && rgb.scalar_type() == at::kByte, what,
              " expects a uint8 (H, W, 3) RGB image, got ", rgb.sizes(), " ", rgb.scalar_type());
}

}  // namespace

at::Tensor ResizeBicubicPil(const at::Tensor& rgb, int64_t width, int64_t height) {
  CheckRgb(rgb, "ResizeBicubicPil");
  TORCH_CHECK(width > 0 && height > 0 && rgb.size(0) > 0 && rgb.size(1) > 0, "ResizeBicubicPil: empty size");
  at::Tensor image = rgb.to(at::kCPU).contiguous();
  const int64_t in_h = image.size(0), in_w = image.size(1);
  // PIL: the horizontal pass first (to a uint8 image), then the vertical one; a pass whose size is unchanged is
  // skipped.
  if (width != in_w) {
    at::Tensor out = at::empty({in_h, width, 3}, image.options());
    ResamplePass(image.data_ptr<uint8_t>(), out.data_ptr<uint8_t>(), {in_h, in_w * 3, 3, width * 3, 3},
                 PrecomputeCoefficients(static_cast<int>(in_w), static_cast<int>(width)));
    image = out;
  }
  if (height != in_h) {
    at::Tensor out = at::empty({height, width, 3}, image.options());
    ResamplePass(image.data_ptr<uint8_t>(), out.data_ptr<uint8_t>(), {width, 3, width * 3, 3, width * 3},
                 PrecomputeCoefficients(static_cast<int>(in_h), static_cast<int>(height)));
    image = out;
  }
  return image;
}

std::pair<int64_t, int64_t> ShortSideResizeShape(int64_t height, int64_t width, int64_t size) {
  const int64_t short_side = std::min(height, width), long_side = std::max(height, width);
  if (short_side == size) return {height, width};
  // Python: int(size * long / short), a true division then truncation.
  const auto new_long = static_cast<int64_t>(static_cast<double>(size * long_side) / static_cast<double>(short_side));
  return width <= height ? std::make_pair(new_long, size) : std::make_pair(size, new_long);
}

at::Tensor CenterCropHwc(const at::Tensor& rgb, int64_t size) {
  CheckRgb(rgb, "CenterCropHwc");
  const int64_t h = rgb.size(0), w = rgb.size(1);
  TORCH_CHECK(h >= size && w >= size, "CenterCropHwc: image ", h, "x", w, " is smaller than the crop ", size);
  // Python's round() rounds halves to even; std::nearbyint does too in the default rounding mode.
  const auto top = static_cast<int64_t>(std::nearbyint((h - size) / 2.0));
  const auto left = static_cast<int64_t>(std::nearbyint((w - size) / 2.0));
  return rgb.slice(0, top, top + size).slice(1, left, left + size);
}

at::Tensor PreprocessClipImage(const at::Tensor& rgb, int64_t resolution) {
  CheckRgb(rgb, "PreprocessClipImage");
  TORCH_CHECK(resolution > 0, "PreprocessClipImage: resolution must be positive");
  const auto [height, width] = ShortSideResizeShape(rgb.size(0), rgb.size(1), resolution);
  const at::Tensor resized = ResizeBicubicPil(rgb, width, height);
  const at::Tensor chw = CenterCropHwc(resized, resolution).permute({2, 0, 1}).to(at::kFloat).div(255);
  const at::Tensor mean = at::tensor({kClipMean[0], kClipMean[1], kClipMean[2]}).view({3, 1, 1});
  const at::Tensor std = at::tensor({kClipStd[0], kClipStd[1], kClipStd[2]}).view({3, 1, 1});
  return ((chw - mean) / std).contiguous();
}


}  // namespace zegclip::clip
