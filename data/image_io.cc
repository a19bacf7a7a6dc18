#include "data/image_io.h"

#include <png.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/image_header.h"
#include "zegclip/base/path_check.h"

namespace zegclip::data {
namespace {

// libpng reports errors by longjmp: the functions that can jump hold only plain pointers and ints, so no
// destructor is skipped; the message is kept here for the Status.
struct PngError {
  std::jmp_buf jump;
  char message[256];
};

void OnPngError(png_structp png, png_const_charp message) {
  auto* error = static_cast<PngError*>(png_get_error_ptr(png));
  std::snprintf(error->message, sizeof(error->message), "%s", message);
  std::longjmp(error->jump, 1);
}

void OnPngWarning(png_structp, png_const_charp) {}

struct PngHeader {
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, colour_type = 0;
};

// Returns false on a libpng error (message in error->message).
bool ReadPngHeader(png_structp png, png_infop info, std::FILE* file, PngError* error, PngHeader* header) {
  if (setjmp(error->jump)) return false;
  png_init_io(png, file);
  png_read_info(png, info);
  png_get_IHDR(png, info, &header->width, &header->height, &header->bit_depth, &header->colour_type, nullptr,
               nullptr, nullptr);
  return true;
}

bool ReadPngRows(png_structp png, png_infop info, PngError* error, png_bytep* rows) {
  if (setjmp(error->jump)) return false;
  // Sub-byte depths unpacked to one value per byte, unscaled (no palette expansion, no grey rescaling).
  png_set_packing(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

const char* ColourTypeName(int type) {
  switch (type) {
    case PNG_COLOR_TYPE_GRAY: return "greyscale";
    case PNG_COLOR_TYPE_PALETTE: return "palette";
    case PNG_COLOR_TYPE_RGB: return "RGB";
    case PNG_COLOR_TYPE_RGB_ALPHA: return "RGBA";
    case PNG_COLOR_TYPE_GRAY_ALPHA: return "greyscale+alpha";
    default: return "unknown";
  }
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

bool WritePngRows(png_structp png, png_infop info, std::FILE* file, PngError* error, const PngHeader& header,
                  const png_color* palette, png_bytep* rows) {
  if (setjmp(error->jump)) return false;
  png_init_io(png, file);
  png_set_IHDR(png, info, header.width, header.height, 8, header.colour_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette != nullptr) png_set_PLTE(png, info, palette, 256);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

// IsTruncatedJpeg on the file, reading only its first and last two bytes when those settle it (nearly always).
bool FileIsTruncatedJpeg(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return false;  // the decoder reports the unreadable file
  unsigned char head[2] = {0, 0}, tail[2] = {0, 0};
  if (std::fread(head, 1, 2, file.get()) != 2 || head[0] != 0xFF || head[1] != 0xD8) return false;
  if (std::fseek(file.get(), -2, SEEK_END) == 0 && std::fread(tail, 1, 2, file.get()) == 2 && tail[0] == 0xFF &&
      tail[1] == 0xD9) {
    return false;
  }
  std::string bytes;
  std::rewind(file.get());
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) bytes.append(buffer, n);
  return IsTruncatedJpeg(bytes);
}

}  // namespace

bool IsTruncatedJpeg(const std::string& bytes) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  if (bytes.size() < 2 || byte(0) != 0xFF || byte(1) != 0xD8) return false;  // not a JPEG
  const size_t n = bytes.size();
  // Fast path: nearly every complete file ends with EOI (FF D9).
  if (byte(n - 2) == 0xFF && byte(n - 1) == 0xD9) return false;
  // Walk the marker segments up to the first start-of-scan. Segment lengths skip APPn payloads, so an EXIF
  // thumbnail's own SOS/EOI is never mistaken for the image's.
  size_t i = 2;
  while (i + 4 <= n) {
    if (byte(i) != 0xFF) return false;  // damaged otherwise, not cut short: the decoder judges it
    const uint8_t marker = byte(i + 1);
    if (marker == 0xFF) { ++i; continue; }  // fill byte
    if (marker == 0xD9) return false;      // EOI before any scan: nothing to truncate
    const size_t length = (static_cast<size_t>(byte(i + 2)) << 8) | byte(i + 3);
    i += 2 + length;
    if (marker == 0xDA) break;  // SOS: entropy-coded data follows
  }
  // In entropy-coded data FF is followed by 00 (stuffing) or a restart marker, so FF D9 here is the image's EOI
  // (data appended after it, such as a motion photo's video, is allowed).
  for (size_t k = i; k + 1 < n; ++k) {
    if (byte(k) == 0xFF && byte(k + 1) == 0xD9) return false;
  }
  return true;
}

absl::StatusOr<at::Tensor> ReadRgbImage(const std::string& path) {
  // Missing, unreadable (permission, symlink loop, a folder) and oversized files are told apart before decoding:
  // OpenCV answers all of them with an empty image, which would read as "corrupt".
  if (absl::Status s = base::CheckReadableFile(path, "image file"); !s.ok()) return s;
  absl::StatusOr<std::optional<ImageSize>> size = ReadImageSize(path);
  if (!size.ok()) return size.status();
  if (*size) {
    if (absl::Status s = CheckImagePixels(path, "image file", **size); !s.ok()) return s;
  }
  if (FileIsTruncatedJpeg(path)) {
    return absl::DataLossError("cannot decode image " + path + ": truncated JPEG (no end-of-image marker)");
  }
  cv::Mat bgr;
  try {
    bgr = cv::imread(path, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return absl::DataLossError("cannot decode image " + path + ": " + e.what());
  }
  if (bgr.empty()) return absl::DataLossError("cannot decode image " + path + " (not a JPEG/PNG/... image?)");
  at::Tensor rgb = at::empty({bgr.rows, bgr.cols, 3}, at::kByte);
  cv::Mat wrapped(bgr.rows, bgr.cols, CV_8UC3, rgb.data_ptr<uint8_t>());
  cv::cvtColor(bgr, wrapped, cv::COLOR_BGR2RGB);
  return rgb;
}

absl::StatusOr<at::Tensor> ReadIndexPng(const std::string& path) {
  if (absl::Status s = base::CheckReadableFile(path, "label file"); !s.ok()) return s;
  // The size from the header, before libpng allocates the rows.
  absl::StatusOr<std::optional<ImageSize>> size = ReadImageSize(path);
  if (!size.ok()) return size.status();
  if (*size) {
    if (absl::Status s = CheckImagePixels(path, "label file", **size); !s.ok()) return s;
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return base::ErrnoPathError("label file", path, errno);
  png_byte signature[8] = {0};
  if (std::fread(signature, 1, 8, file.get()) != 8 || png_sig_cmp(signature, 0, 8) != 0) {
    return absl::DataLossError("label file " + path + " is not a PNG (expected a palette/index PNG)");
  }
  PngError error{};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, OnPngError, OnPngWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return absl::ResourceExhaustedError("libpng: out of memory reading " + path);
  }
  png_set_sig_bytes(png, 8);
  PngHeader h;
  absl::Status status;
  at::Tensor labels;
  if (!ReadPngHeader(png, info, file.get(), &error, &h)) {
    status = absl::DataLossError(absl::StrCat("corrupt PNG ", path, ": ", error.message));
  } else if ((h.colour_type != PNG_COLOR_TYPE_PALETTE && h.colour_type != PNG_COLOR_TYPE_GRAY) || h.bit_depth > 8) {
    status = absl::InvalidArgumentError(absl::StrCat(
        "label file ", path, " is a ", h.bit_depth, "-bit ", ColourTypeName(h.colour_type),
        " PNG; expected a palette/index PNG (8-bit palette or greyscale whose values are class ids)"));
  } else {
    labels = at::empty({static_cast<int64_t>(h.height), static_cast<int64_t>(h.width)}, at::kByte);
    std::vector<png_bytep> rows(h.height);
    for (png_uint_32 y = 0; y < h.height; ++y) rows[y] = labels.data_ptr<uint8_t>() + y * h.width;
    if (!ReadPngRows(png, info, &error, rows.data())) {
      status = absl::DataLossError(absl::StrCat("corrupt PNG ", path, ": ", error.message));
    }
  }
  png_destroy_read_struct(&png, &info, nullptr);
  if (!status.ok()) return status;
  return labels;
}

absl::Status WriteIndexPng(const std::string& path, const at::Tensor& indices,
                           const std::array<std::array<uint8_t, 3>, 256>* palette) {
  if (indices.scalar_type() != at::kByte || indices.dim() != 2) {
    return absl::InvalidArgumentError("WriteIndexPng: expected uint8 (H, W) for " + path);
  }
  const at::Tensor data = indices.contiguous();
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (file == nullptr) return base::WriteError(path, errno);
  PngError error{};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, OnPngError, OnPngWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return absl::ResourceExhaustedError("libpng: out of memory writing " + path);
  }
  PngHeader h;
  h.height = static_cast<png_uint_32>(data.size(0));
  h.width = static_cast<png_uint_32>(data.size(1));
  h.colour_type = palette ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_GRAY;
  std::vector<png_color> colours;
  if (palette) {
    for (const auto& c : *palette) colours.push_back({c[0], c[1], c[2]});
  }
  std::vector<png_bytep> rows(h.height);
  for (png_uint_32 y = 0; y < h.height; ++y) rows[y] = const_cast<uint8_t*>(data.data_ptr<uint8_t>()) + y * h.width;
  const bool ok = WritePngRows(png, info, file.get(), &error, h, palette ? colours.data() : nullptr, rows.data());
  png_destroy_write_struct(&png, &info);
  if (!ok) return absl::InternalError(absl::StrCat("libpng failed writing ", path, ": ", error.message));
  return absl::OkStatus();
}

absl::Status WriteRgbImage(const std::string& path, const at::Tensor& rgb, const JpegOptions& jpeg) {
  if (rgb.scalar_type() != at::kByte || rgb.dim() != 3 || rgb.size(2) != 3) {
    return absl::InvalidArgumentError("WriteRgbImage: expected uint8 (H, W, 3) for " + path);
  }
  at::Tensor data = rgb.contiguous();
  const cv::Mat wrapped(static_cast<int>(data.size(0)), static_cast<int>(data.size(1)), CV_8UC3,
                        data.data_ptr<uint8_t>());
  cv::Mat bgr;
  cv::cvtColor(wrapped, bgr, cv::COLOR_RGB2BGR);
  bool ok = false;
  try {
    ok = cv::imwrite(path, bgr, {cv::IMWRITE_JPEG_QUALITY, jpeg.quality});  // other formats ignore it
  } catch (const cv::Exception& e) {
    return absl::InternalError("cannot write " + path + ": " + e.what());
  }
  if (!ok) return absl::InternalError("cannot write " + path + " (unknown extension or unwritable folder)");
  return absl::OkStatus();
}

const std::array<std::array<uint8_t, 3>, 256>& VocPalette() {
  static const auto* palette = [] {
    auto* p = new std::array<std::array<uint8_t, 3>, 256>();
    // VOC's bit-interleaving colour map.
    for (int k = 0; k < 256; ++k) {
      int r = 0, g = 0, b = 0, c = k;
      for (int j = 0; j < 8; ++j, c >>= 3) {
        r |= ((c >> 0) & 1) << (7 - j);
        g |= ((c >> 1) & 1) << (7 - j);
        b |= ((c >> 2) & 1) << (7 - j);
      }
      (*p)[k] = {static_cast<uint8_t>(r), static_cast<uint8_t>(g), static_cast<uint8_t>(b)};
    }
    return p;
  }();
  return *palette;
}

}  // namespace zegclip::data
