#include "data/image_header.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "zegclip/base/path_check.h"

namespace zegclip::data {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// The first bytes of a file: enough for any PNG / PNM header and for the JPEG markers before the frame header.
constexpr size_t kHeadBytes = 1 << 16;

uint32_t BigEndian(const std::string& b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

std::optional<ImageSize> PngSize(const std::string& b) {
  static const char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (b.size() < 24 || b.compare(0, 8, kSignature, 8) != 0 || b.compare(12, 4, "IHDR") != 0) return std::nullopt;
  return ImageSize{BigEndian(b, 16, 4), BigEndian(b, 20, 4)};
}

// The marker segments up to the first start-of-frame (SOF0..SOF15 except DHT C4, JPG C8, DAC CC).
std::optional<ImageSize> JpegSize(const std::string& b) {
  if (b.size() < 4 || static_cast<uint8_t>(b[0]) != 0xFF || static_cast<uint8_t>(b[1]) != 0xD8) return std::nullopt;
  size_t i = 2;
  while (i + 9 <= b.size()) {
    if (static_cast<uint8_t>(b[i]) != 0xFF) return std::nullopt;
    const uint8_t marker = static_cast<uint8_t>(b[i + 1]);
    if (marker == 0xFF) { ++i; continue; }
    const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) return ImageSize{BigEndian(b, i + 7, 2), BigEndian(b, i + 5, 2)};
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // end of image or scan data before any frame
    i += 2 + BigEndian(b, i + 2, 2);
  }
  return std::nullopt;
}

// Binary PNM: "P5"/"P6", whitespace, width, height (comments starting with # skipped). A '#' right after a number is
// refused: OpenCV's reader takes that '#' as the number's end and then reads the comment's digits as the next number,
// so the size checked here would not be the size decoded ("P6 6#123456789\n7": 6x7 here, 6x123456789 there; found
// by image_decode_fuzzer).
absl::StatusOr<std::optional<ImageSize>> PnmSize(const std::string& b) {
  if (b.size() < 3 || b[0] != 'P' || (b[1] != '5' && b[1] != '6')) return std::nullopt;
  size_t i = 2;
  int64_t values[2] = {0, 0};
  for (int64_t& v : values) {
    while (i < b.size() && (std::isspace(static_cast<unsigned char>(b[i])) || b[i] == '#')) {
      if (b[i] == '#') {
        while (i < b.size() && b[i] != '\n') ++i;
      } else {
        ++i;
      }
    }
    if (i >= b.size() || !std::isdigit(static_cast<unsigned char>(b[i]))) return std::nullopt;
    for (; i < b.size() && std::isdigit(static_cast<unsigned char>(b[i])) && v < (int64_t{1} << 40); ++i) {
      v = v * 10 + (b[i] - '0');
    }
    if (i < b.size() && b[i] == '#') {
      return absl::DataLossError("PNM header with a comment right after a number, which decoders read differently");
    }
  }
  return std::optional<ImageSize>(ImageSize{values[0], values[1]});
}

}  // namespace

absl::StatusOr<std::optional<ImageSize>> ReadImageSize(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return base::ErrnoPathError("image file", path, errno);
  std::string head(kHeadBytes, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), file.get()));
  if (std::optional<ImageSize> png = PngSize(head)) return png;
  if (std::optional<ImageSize> jpeg = JpegSize(head)) return jpeg;
  absl::StatusOr<std::optional<ImageSize>> pnm = PnmSize(head);
  if (!pnm.ok()) return absl::DataLossError(absl::StrCat("image file ", path, ": ", pnm.status().message()));
  return pnm;
}

absl::Status CheckImagePixels(const std::string& path, const std::string& what, const ImageSize& size) {
  // Compared by division: a PNG header may state 2^32 - 1 per side, whose product overflows int64.
  if (size.width >= 0 && size.height >= 0 &&
      (size.height == 0 || size.width <= kMaxImagePixels / size.height)) {
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(absl::StrCat(what, " ", path, ": ", size.width, "x", size.height,
                                                   " pixels, more than the ", kMaxImagePixels,
                                                   " (2^28) one image may have"));
}

}  // namespace zegclip::data
