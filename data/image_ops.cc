#include "data/image_ops.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace zegclip::data {
namespace {

constexpr int kCoefBits = 11;  // OpenCV's INTER_RESIZE_COEF_BITS
constexpr int kCoefScale = 1 << kCoefBits;

// OpenCV's saturate_cast<short>(float): round half to even, then clamp.
int16_t SaturateShort(float v) {
  const long r = std::lrint(v);
  return static_cast<int16_t>(std::min<long>(32767, std::max<long>(-32768, r)));
}

struct Taps {
  std::vector<int64_t> index0, index1;  // source indices, clamped to the image
  std::vector<int32_t> weight0, weight1;
};

// cv::resize's coordinate map: src = (dst + 0.5) * scale - 0.5 in float, fixed-point weights. Horizontal taps
// outside the image collapse onto the border pixel with weight (2048, 0); vertical ones keep their weights and
// clamp the row index (both exactly as OpenCV does).
Taps LinearTaps(int64_t src, int64_t dst, bool clamp_weights) {
  const double scale = 1.0 / (static_cast<double>(dst) / static_cast<double>(src));
  Taps t;
  for (int64_t d = 0; d < dst; ++d) {
    float f = static_cast<float>((d + 0.5) * scale - 0.5);
    int64_t s = static_cast<int64_t>(std::floor(f));
    f -= static_cast<float>(s);
    if (clamp_weights && s < 0) f = 0, s = 0;
    if (clamp_weights && s >= src - 1) f = 0, s = src - 1;
    t.index0.push_back(std::min(std::max<int64_t>(s, 0), src - 1));
    t.index1.push_back(std::min(std::max<int64_t>(s + 1, 0), src - 1));
    t.weight0.push_back(SaturateShort((1.f - f) * kCoefScale));
    t.weight1.push_back(SaturateShort(f * kCoefScale));
  }
  return t;
}

at::Tensor AsHwc(const at::Tensor& image) {
  TORCH_CHECK(image.scalar_type() == at::kByte, "image ops: expected uint8, got ", image.scalar_type());
  TORCH_CHECK(image.dim() == 2 || image.dim() == 3, "image ops: expected (H, W) or (H, W, C), got ", image.sizes());
  at::Tensor hwc = image.dim() == 2 ? image.unsqueeze(2) : image;
  TORCH_CHECK(hwc.size(0) > 0 && hwc.size(1) > 0, "image ops: empty image ", image.sizes());
  return hwc.contiguous();
}

at::Tensor Restore(const at::Tensor& out, const at::Tensor& like) { return like.dim() == 2 ? out.squeeze(2) : out; }

}  // namespace

at::Tensor ResizeBilinear(const at::Tensor& image, int64_t out_height, int64_t out_width) {
  TORCH_CHECK(out_height > 0 && out_width > 0, "ResizeBilinear: bad size ", out_height, "x", out_width);
  const at::Tensor src = AsHwc(image);
  const int64_t h = src.size(0), w = src.size(1), c = src.size(2);
  const Taps xs = LinearTaps(w, out_width, /*clamp_weights=*/true);
  const Taps ys = LinearTaps(h, out_height, /*clamp_weights=*/false);
  // Horizontal pass for every source row (values scaled by 2^11), then the vertical blend.
  std::vector<int32_t> rows(static_cast<size_t>(h * out_width * c));
  const uint8_t* s = src.data_ptr<uint8_t>();
  for (int64_t y = 0; y < h; ++y) {
    const uint8_t* row = s + y * w * c;
    int32_t* out = rows.data() + y * out_width * c;
    for (int64_t x = 0; x < out_width; ++x) {
      const uint8_t* p0 = row + xs.index0[x] * c;
      const uint8_t* p1 = row + xs.index1[x] * c;
      for (int64_t k = 0; k < c; ++k) out[x * c + k] = p0[k] * xs.weight0[x] + p1[k] * xs.weight1[x];
    }
  }
  at::Tensor dst = at::empty({out_height, out_width, c}, at::kByte);
  uint8_t* d = dst.data_ptr<uint8_t>();
  const int64_t row_len = out_width * c;
  for (int64_t y = 0; y < out_height; ++y) {
    const int32_t* r0 = rows.data() + ys.index0[y] * row_len;
    const int32_t* r1 = rows.data() + ys.index1[y] * row_len;
    const int32_t b0 = ys.weight0[y], b1 = ys.weight1[y];
    for (int64_t i = 0; i < row_len; ++i) {
      // OpenCV's vectorised rounding of the 22-bit fixed-point blend.
      const int32_t v = (((b0 * (r0[i] >> 4)) >> 16) + ((b1 * (r1[i] >> 4)) >> 16) + 2) >> 2;
      d[y * row_len + i] = static_cast<uint8_t>(std::min(255, std::max(0, v)));
    }
  }
  return Restore(dst, image);
}

at::Tensor ResizeNearest(const at::Tensor& image, int64_t out_height, int64_t out_width) {
  TORCH_CHECK(out_height > 0 && out_width > 0, "ResizeNearest: bad size ", out_height, "x", out_width);
  const at::Tensor src = AsHwc(image);
  const int64_t h = src.size(0), w = src.size(1), c = src.size(2);
  const double ifx = 1.0 / (static_cast<double>(out_width) / w), ify = 1.0 / (static_cast<double>(out_height) / h);
  std::vector<int64_t> xofs(out_width);
  for (int64_t x = 0; x < out_width; ++x) {
    xofs[x] = std::min(static_cast<int64_t>(std::floor(x * ifx)), w - 1);
  }
  at::Tensor dst = at::empty({out_height, out_width, c}, at::kByte);
  const uint8_t* s = src.data_ptr<uint8_t>();
  uint8_t* d = dst.data_ptr<uint8_t>();
  for (int64_t y = 0; y < out_height; ++y) {
    const int64_t sy = std::min(static_cast<int64_t>(std::floor(y * ify)), h - 1);
    for (int64_t x = 0; x < out_width; ++x) {
      std::copy_n(s + (sy * w + xofs[x]) * c, c, d + (y * out_width + x) * c);
    }
  }
  return Restore(dst, image);
}

at::Tensor RgbToHsv(const at::Tensor& rgb) {
  const at::Tensor src = AsHwc(rgb);
  TORCH_CHECK(src.size(2) == 3, "RgbToHsv: expected 3 channels, got ", src.sizes());
  constexpr int kShift = 12;
  static const auto* tables = [] {
    auto* t = new std::vector<int>(512, 0);  // [0, 256): saturation divisors, [256, 512): hue divisors (180 range)
    for (int i = 1; i < 256; ++i) {
      (*t)[i] = static_cast<int>(std::lrint((255 << kShift) / (1. * i)));
      (*t)[256 + i] = static_cast<int>(std::lrint((180 << kShift) / (6. * i)));
    }
    return t;
  }();
  at::Tensor dst = at::empty_like(src);
  const uint8_t* s = src.data_ptr<uint8_t>();
  uint8_t* d = dst.data_ptr<uint8_t>();
  for (int64_t i = 0; i < src.numel(); i += 3) {
    const int r = s[i], g = s[i + 1], b = s[i + 2];
    const int v = std::max({r, g, b}), diff = v - std::min({r, g, b});
    const int vr = v == r ? -1 : 0, vg = v == g ? -1 : 0;
    const int sat = (diff * (*tables)[v] + (1 << (kShift - 1))) >> kShift;
    int hue = (vr & (g - b)) + (~vr & ((vg & (b - r + 2 * diff)) + ((~vg) & (r - g + 4 * diff))));
    hue = (hue * (*tables)[256 + diff] + (1 << (kShift - 1))) >> kShift;
    hue += hue < 0 ? 180 : 0;
    d[i] = static_cast<uint8_t>(std::min(255, std::max(0, hue)));
    d[i + 1] = static_cast<uint8_t>(sat);
    d[i + 2] = static_cast<uint8_t>(v);
  }
  return dst;
}

at::Tensor HsvToRgb(const at::Tensor& hsv) {
  const at::Tensor src = AsHwc(hsv);
  TORCH_CHECK(src.size(2) == 3, "HsvToRgb: expected 3 channels, got ", src.sizes());
  const float hscale = 6.f / 180.f;
  at::Tensor dst = at::empty_like(src);
  const uint8_t* s = src.data_ptr<uint8_t>();
  uint8_t* d = dst.data_ptr<uint8_t>();
  // OpenCV's vectorised 8-bit path (which converts all but a few tail pixels): sector by truncation, the six-way
  // table as selects, and the result truncated (not rounded) to uint8.
  auto to_byte = [](float v) { return static_cast<uint8_t>(std::min(255.f, std::max(0.f, std::trunc(v * 255.f)))); };
  for (int64_t i = 0; i < src.numel(); i += 3) {
    float h = static_cast<float>(s[i]) * hscale;
    const float sat = s[i + 1] * (1.f / 255.f), v = s[i + 2] * (1.f / 255.f);
    const float pre_sector = std::trunc(h);
    h -= pre_sector;
    const float tab0 = v, tab1 = v * (1.f - sat), tab2 = v * (1.f - sat * h), tab3 = v * (1.f - sat * (1.f - h));
    const float sector = pre_sector - std::trunc(pre_sector * (1.f / 6.f)) * 6.f;
    const float b = sector < 2 ? tab1 : sector == 2 ? tab3 : sector <= 4 ? tab0 : tab2;
    const float g = sector < 1 ? tab3 : sector <= 2 ? tab0 : sector == 3 ? tab2 : tab1;
    const float r = sector < 1 ? tab0 : sector == 1 ? tab2 : sector <= 3 ? tab1 : sector == 4 ? tab3 : tab0;
    d[i] = to_byte(r);
    d[i + 1] = to_byte(g);
    d[i + 2] = to_byte(b);
  }
  return dst;
}

}  // namespace zegclip::data
