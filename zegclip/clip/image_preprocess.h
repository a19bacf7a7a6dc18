// OpenAI CLIP's image preprocessing (clip.load's `_transform`), reproduced bit for bit on decoded pixels:
//   Resize(R, BICUBIC)  short side to R, long side int(R · long / short), with PIL's resampler: bicubic a = -0.5,
//                       the kernel widened by the scale factor when downscaling (antialiasing), 8-bit fixed-point
//                       coefficients and a uint8 image between the horizontal and the vertical pass
//   CenterCrop(R)       offsets round((size - R) / 2) with Python's round-half-to-even
//   ToTensor, Normalize x / 255, then (x - mean) / std in float32 with CLIP's mean and std
//
// This package does not read files: engine::LoadClipImage (zegclip/engine/clip_encoding.h) decodes with OpenCV
// (data/image_io.h), not PIL, and calls PreprocessClipImage. PNG and other lossless files give the same pixels;
// JPEG decoders may differ by a grey level here and there, and OpenCV applies EXIF orientation where PIL's
// Image.open does not.
//
// Example:
//   at::Tensor image = PreprocessClipImage(rgb, /*resolution=*/224);   // uint8 (H, W, 3) -> float (3, 224, 224)
//   at::Tensor features = model->EncodeImage(at::stack({image}));
#ifndef ZEGCLIP_CLIP_IMAGE_PREPROCESS_H_
#define ZEGCLIP_CLIP_IMAGE_PREPROCESS_H_

#include <ATen/ATen.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace zegclip::clip {

// CLIP's normalisation constants (clip/clip.py).
constexpr std::array<float, 3> kClipMean = {0.48145466f, 0.4578275f, 0.40821073f};
constexpr std::array<float, 3> kClipStd = {0.26862954f, 0.26130258f, 0.27577711f};

// PIL's Image.resize((width, height), Image.BICUBIC) of uint8 (H, W, 3): uint8 (height, width, 3), identical bytes.
at::Tensor ResizeBicubicPil(const at::Tensor& rgb, int64_t width, int64_t height);

// torchvision's Resize(size) output (height, width) for an int size: the short side becomes `size`, the long side
// int(size · long / short); an image whose short side already equals `size` keeps its shape.
std::pair<int64_t, int64_t> ShortSideResizeShape(int64_t height, int64_t width, int64_t size);

// torchvision's CenterCrop(size) of uint8 (H, W, 3) with H, W >= size: (size, size, 3).
at::Tensor CenterCropHwc(const at::Tensor& rgb, int64_t size);

// The whole transform: uint8 (H, W, 3) RGB -> float32 (3, resolution, resolution), normalised.
at::Tensor PreprocessClipImage(const at::Tensor& rgb, int64_t resolution);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_IMAGE_PREPROCESS_H_
