// Image files of the real datasets: colour images decoded with OpenCV (as mmseg's LoadImageFromFile), label PNGs
// read with libpng AS INDICES. cv::imread expands a palette PNG (VOC's SegmentationClass) to colours, which turns
// every class id into a meaningless colour channel value -- the classic "mIoU near zero" bug -- so labels never go
// through OpenCV. Needs OpenCV and libpng (//data:readers); the rest of the package does not.
//
// Example:
//   absl::StatusOr<at::Tensor> rgb = ReadRgbImage("VOC2012/JPEGImages/2007_000032.jpg");   // uint8 (H, W, 3)
//   absl::StatusOr<at::Tensor> ids = ReadIndexPng("VOC2012/SegmentationClass/2007_000032.png");  // uint8 (H, W)
#ifndef ZEGCLIP_DATA_IMAGE_IO_H_
#define ZEGCLIP_DATA_IMAGE_IO_H_

#include <ATen/ATen.h>

#include <array>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::data {

// Decodes a JPEG/PNG/... colour image (EXIF orientation applied, as cv::imread) to uint8 (H, W, 3) RGB. A JPEG cut
// short (no end-of-image marker after its scan data) is DataLoss: libjpeg would warn and fill the rest with grey.
absl::StatusOr<at::Tensor> ReadRgbImage(const std::string& path);

// True when the bytes start a JPEG whose entropy-coded data is never followed by an end-of-image marker (a file cut
// short, e.g. an interrupted copy). Anything that is not a JPEG is not truncated.
bool IsTruncatedJpeg(const std::string& bytes);

// Reads an 8-bit (or 1/2/4-bit) palette or greyscale PNG as its stored values: palette indices, never colours.
// RGB/RGBA/grey+alpha and 16-bit PNGs are errors ("expected a palette/index PNG").
absl::StatusOr<at::Tensor> ReadIndexPng(const std::string& path);

// Writers for tests and tools. WriteIndexPng stores uint8 (H, W) values as a palette PNG (with `palette`, 256 RGB
// entries) or, when palette is null, as 8-bit greyscale. WriteRgbImage encodes uint8 (H, W, 3) RGB by the file's
// extension (.jpg, .png) through OpenCV.
struct JpegOptions {
  int quality = 95;  // 0..100, OpenCV's default 95 (chroma is always subsampled 4:2:0 by OpenCV 4.6)
};
absl::Status WriteIndexPng(const std::string& path, const at::Tensor& indices,
                           const std::array<std::array<uint8_t, 3>, 256>* palette);
absl::Status WriteRgbImage(const std::string& path, const at::Tensor& rgb, const JpegOptions& jpeg = {});

// PASCAL VOC's colour map (index k -> the colour VOC's tools give class k; 255 -> cream border colour).
const std::array<std::array<uint8_t, 3>, 256>& VocPalette();

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_IMAGE_IO_H_
