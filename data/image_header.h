// An image file's width and height read from its header, before anything is decoded: a decompression bomb (a
// 30000x30000 PNG of a few kilobytes) is refused by its header instead of filling memory. PNG (IHDR), JPEG (the first
// SOFn marker) and binary PNM (P5/P6); other formats have no size here.
//
// Example:
//   absl::StatusOr<std::optional<ImageSize>> size = ReadImageSize("x.jpg");   // {width, height} or nullopt
//   absl::Status s = CheckImagePixels("x.jpg", "image file", *size);          // ResourceExhausted above the limit
#ifndef ZEGCLIP_DATA_IMAGE_HEADER_H_
#define ZEGCLIP_DATA_IMAGE_HEADER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::data {

// The most pixels one image or label file may have: 2^28 (16384 x 16384; 768 MiB as decoded RGB). Datasets stay
// far below it (COCO 640x480, Cityscapes 2048x1024); a file above it is a bomb or a mistake.
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 28;

struct ImageSize {
  int64_t width = 0, height = 0;
};

// nullopt when the format is none of PNG, JPEG, PNM or the header is damaged (the decoder then reports it). An error
// when the file cannot be opened, or for a PNM header that decoders read differently (a comment glued to a number),
// whose decoded size this check could not vouch for.
absl::StatusOr<std::optional<ImageSize>> ReadImageSize(const std::string& path);

// ResourceExhausted when width x height exceeds kMaxImagePixels:
//   "image file x.png: 30000x30000 pixels, more than the 268435456 (2^28) one image may have"
absl::Status CheckImagePixels(const std::string& path, const std::string& what, const ImageSize& size);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_IMAGE_HEADER_H_
