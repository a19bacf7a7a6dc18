// Fuzz target: an image or label file of a dataset, from arbitrary bytes, through every reader a sample meets:
// ReadImageSize (header), IsTruncatedJpeg, ReadIndexPng (labels, libpng) and ReadRgbImage (images, OpenCV).
// Invariants: nothing crashes, throws or hangs; every error has a message; a decoded label is (H, W) uint8 and a
// decoded image (H, W, 3) uint8, both no larger than the pixel cap, and equal to the header's size where the header
// tells one (a JPEG may be turned by its EXIF orientation).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <ATen/ATen.h>

#include "data/image_header.h"
#include "data/image_io.h"
#include "zegclip/testing/fuzz_input.h"

namespace {

using zegclip::data::ImageSize;

void CheckSize(const at::Tensor& t, const std::optional<ImageSize>& header, bool may_rotate, const char* what) {
  const int64_t h = t.size(0), w = t.size(1);
  FUZZ_CHECK(h > 0 && w > 0 && h * w <= zegclip::data::kMaxImagePixels, std::string(what) + ": size out of bounds");
  if (!header) return;
  const bool same = header->height == h && header->width == w;
  const bool turned = may_rotate && header->height == w && header->width == h;
  FUZZ_CHECK(same || turned, std::string(what) + ": decoded size differs from the header's");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)zegclip::data::IsTruncatedJpeg(bytes);
  const std::string& path = zegclip::testing::InputFile(bytes);
  absl::StatusOr<std::optional<ImageSize>> header = zegclip::data::ReadImageSize(path);
  if (!header.ok()) {
    // Only a header whose size decoders disagree on is refused; then no reader may decode the file.
    FUZZ_CHECK(absl::IsDataLoss(header.status()), "the header reader failed on a readable file");
    FUZZ_CHECK(!zegclip::data::ReadIndexPng(path).ok() && !zegclip::data::ReadRgbImage(path).ok(),
               "a file whose header was refused decoded anyway");
    return 0;
  }

  absl::StatusOr<at::Tensor> labels = zegclip::data::ReadIndexPng(path);
  if (labels.ok()) {
    FUZZ_CHECK(labels->dim() == 2 && labels->scalar_type() == at::kByte, "a label that is not (H, W) uint8");
    CheckSize(*labels, *header, /*may_rotate=*/false, "label");
  } else {
    FUZZ_CHECK(!labels.status().message().empty(), "a label error without a message");
  }
  absl::StatusOr<at::Tensor> rgb = zegclip::data::ReadRgbImage(path);
  if (rgb.ok()) {
    FUZZ_CHECK(rgb->dim() == 3 && rgb->size(2) == 3 && rgb->scalar_type() == at::kByte, "an image not (H, W, 3)");
    CheckSize(*rgb, *header, /*may_rotate=*/true, "image");
  } else {
    FUZZ_CHECK(!rgb.status().message().empty(), "an image error without a message");
  }
  return 0;
}
