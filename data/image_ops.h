// Pixel operations of the data pipeline written without OpenCV (the GPU hosts have none), reproducing OpenCV's
// results, which is what mmseg's pipeline runs on:
//   ResizeBilinear  = cv::resize(..., INTER_LINEAR) on uint8 (11-bit fixed-point weights, half-pixel centres);
//   ResizeNearest   = cv::resize(..., INTER_NEAREST) (floor(x * src/dst));
//   RgbToHsv/HsvToRgb = cv::cvtColor COLOR_RGB2HSV / COLOR_HSV2RGB on uint8 (H in [0, 180)).
// image_ops_opencv_test.cc compares each against OpenCV itself.
//
// Example:
//   at::Tensor small = ResizeBilinear(image, 256, 341);   // uint8 (H, W, C) -> uint8 (256, 341, C)
//   at::Tensor lab = ResizeNearest(label, 256, 341);      // uint8 (H, W) or (H, W, C)
//   at::Tensor hsv = RgbToHsv(image);                     // uint8 (H, W, 3)
#ifndef ZEGCLIP_DATA_IMAGE_OPS_H_
#define ZEGCLIP_DATA_IMAGE_OPS_H_

#include <ATen/ATen.h>

#include <cstdint>

namespace zegclip::data {

// image: uint8 (H, W) or (H, W, C), any strides. Output contiguous, same rank.
at::Tensor ResizeBilinear(const at::Tensor& image, int64_t out_height, int64_t out_width);
at::Tensor ResizeNearest(const at::Tensor& image, int64_t out_height, int64_t out_width);

// image: uint8 (H, W, 3). Output contiguous uint8 (H, W, 3).
at::Tensor RgbToHsv(const at::Tensor& rgb);
at::Tensor HsvToRgb(const at::Tensor& hsv);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_IMAGE_OPS_H_
