#include "zegclip/base/zip_check.h"

#include <zlib.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zegclip::base {
namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50, kZip64Locator = 0x07064b50, kZip64End = 0x06064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50, kLocalHeader = 0x04034b50;
constexpr size_t kEndSize = 22, kLocatorSize = 20, kZip64EndSize = 56, kEntrySize = 46, kLocalSize = 30;
constexpr uint32_t kFull32 = 0xFFFFFFFF;

uint64_t Le(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Reads and checks one archive; every error goes through Fail so that it names the file.
class ZipChecker {
 public:
  ZipChecker(std::FILE* file, uint64_t size) : file_(file), size_(size) {}

  absl::Status Check() {
    uint64_t directory_offset = 0, directory_size = 0, entries = 0;
    if (absl::Status s = FindDirectory(&directory_offset, &directory_size, &entries); !s.ok()) return s;
    if (directory_offset > size_ || directory_size > size_ - directory_offset) {
      return Refused("its central directory lies outside the file (truncated?)");
    }
    // PyTorch's archives hold a few thousand records at most (under 1 MiB of directory).
    if (directory_size > (uint64_t{64} << 20)) return Refused("its central directory claims more than 64 MiB");
    std::vector<unsigned char> directory(directory_size);
    if (!ReadAt(directory_offset, directory.data(), directory.size())) return Refused("cannot read its directory");
    size_t pos = 0;
    for (uint64_t i = 0; i < entries; ++i) {
      if (absl::Status s = CheckEntry(directory, &pos); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  // Damaged, truncated or foreign (features PyTorch never writes): all InvalidArgument, see zip_check.h.
  static absl::Status Refused(const std::string& why) { return absl::InvalidArgumentError(why); }

  bool ReadAt(uint64_t offset, unsigned char* out, size_t n) const {
    if (offset > size_ || n > size_ - offset) return false;
    return std::fseek(file_, static_cast<long>(offset), SEEK_SET) == 0 && std::fread(out, 1, n, file_) == n;
  }

  // The end-of-directory record (the last one in the file's final 64 KiB + 22 bytes) and its zip64 form.
  absl::Status FindDirectory(uint64_t* offset, uint64_t* size, uint64_t* entries) {
    if (size_ < kEndSize) return Refused("not a zip archive (too short)");
    const uint64_t tail = std::min<uint64_t>(size_, 65535 + kEndSize);
    std::vector<unsigned char> buf(tail);
    if (!ReadAt(size_ - tail, buf.data(), buf.size())) return Refused("cannot read its end");
    size_t at = tail - kEndSize + 1;
    do {
      --at;
    } while (at > 0 && Le(&buf[at], 4) != kEndOfDirectory);
    if (Le(&buf[at], 4) != kEndOfDirectory) {
      return Refused("not a zip archive (no end-of-directory record; truncated, or not written by PyTorch)");
    }
    const unsigned char* end = &buf[at];
    if (Le(end + 4, 2) != 0 || Le(end + 6, 2) != 0) return Refused("a multi-disk (spanned) zip archive");
    *entries = Le(end + 10, 2);
    *size = Le(end + 12, 4);
    *offset = Le(end + 16, 4);
    const uint64_t end_offset = size_ - tail + at;
    if (*entries != 0xFFFF && *size != kFull32 && *offset != kFull32) return absl::OkStatus();
    // zip64: the locator sits right before the end record and points at the zip64 end record.
    unsigned char locator[kLocatorSize], record[kZip64EndSize];
    if (end_offset < kLocatorSize || !ReadAt(end_offset - kLocatorSize, locator, kLocatorSize) ||
        Le(locator, 4) != kZip64Locator) {
      return Refused("its zip64 end-of-directory locator is missing");
    }
    if (!ReadAt(Le(locator + 8, 8), record, kZip64EndSize) || Le(record, 4) != kZip64End) {
      return Refused("its zip64 end-of-directory record is missing or outside the file");
    }
    *entries = Le(record + 32, 8);
    *size = Le(record + 40, 8);
    *offset = Le(record + 48, 8);
    return absl::OkStatus();
  }

  absl::Status CheckEntry(const std::vector<unsigned char>& dir, size_t* pos) {
    if (dir.size() - *pos < kEntrySize || Le(&dir[*pos], 4) != kDirectoryEntry) {
      return Refused(absl::StrCat("directory entry ", entry_index_, " is damaged or missing"));
    }
    const unsigned char* e = &dir[*pos];
    const uint64_t name_length = Le(e + 28, 2), extra_length = Le(e + 30, 2), comment_length = Le(e + 32, 2);
    if (dir.size() - *pos - kEntrySize < name_length + extra_length + comment_length) {
      return Refused(absl::StrCat("directory entry ", entry_index_, " runs past the directory"));
    }
    const std::string name(reinterpret_cast<const char*>(e + kEntrySize), name_length);
    const uint64_t flags = Le(e + 8, 2), method = Le(e + 10, 2), crc = Le(e + 16, 4);
    uint64_t compressed = Le(e + 20, 4), uncompressed = Le(e + 24, 4), local = Le(e + 42, 4);
    if (absl::Status s = ReadZip64Sizes(name, e + kEntrySize + name_length, extra_length, &uncompressed, &compressed,
                                        &local);
        !s.ok()) {
      return s;
    }
    *pos += kEntrySize + name_length + extra_length + comment_length;
    ++entry_index_;
    if ((flags & 1) != 0) return Refused(absl::StrCat("record '", name, "' is encrypted"));
    if ((method != 0 && method != 8) || (method == 0 && compressed != uncompressed)) {
      return Refused(absl::StrCat("record '", name, "' uses compression method ", method,
                                      " with sizes ", compressed, " / ", uncompressed,
                                      "; PyTorch writes stored (0) or deflated (8) records"));
    }
    return CheckRecord(name, local, compressed, uncompressed, method == 8, static_cast<uint32_t>(crc));
  }

  // The zip64 extra field holds, in this order, each of the three that the entry marks 0xFFFFFFFF.
  absl::Status ReadZip64Sizes(const std::string& name, const unsigned char* extra, uint64_t length,
                              uint64_t* uncompressed, uint64_t* compressed, uint64_t* local) const {
    if (*uncompressed != kFull32 && *compressed != kFull32 && *local != kFull32) return absl::OkStatus();
    for (uint64_t at = 0; at + 4 <= length;) {
      const uint64_t id = Le(extra + at, 2), size = Le(extra + at + 2, 2);
      if (size > length - at - 4) break;
      if (id == 0x0001) {
        const unsigned char* p = extra + at + 4;
        uint64_t left = size;
        for (uint64_t* field : {uncompressed, compressed, local}) {
          if (*field != kFull32) continue;
          if (left < 8) return Refused(absl::StrCat("record '", name, "' has a short zip64 field"));
          *field = Le(p, 8);
          p += 8;
          left -= 8;
        }
        return absl::OkStatus();
      }
      at += 4 + size;
    }
    return Refused(absl::StrCat("record '", name, "' lacks the zip64 sizes its directory entry promises"));
  }

  absl::Status CheckRecord(const std::string& name, uint64_t local, uint64_t stored, uint64_t size, bool deflated,
                           uint32_t crc) {
    unsigned char header[kLocalSize];
    if (!ReadAt(local, header, kLocalSize) || Le(header, 4) != kLocalHeader) {
      return Refused(absl::StrCat("record '", name, "' has no local header where its directory entry points"));
    }
    const uint64_t data = local + kLocalSize + Le(header + 26, 2) + Le(header + 28, 2);
    if (data > size_ || stored > size_ - data) {
      return Refused(absl::StrCat("record '", name, "' runs past the end of the file (truncated?)"));
    }
    if (std::fseek(file_, static_cast<long>(data), SEEK_SET) != 0) return Refused("cannot seek");
    absl::StatusOr<uint32_t> computed = deflated ? InflatedCrc(name, stored, size) : StoredCrc(name, stored);
    if (!computed.ok()) return computed.status();
    if (*computed != crc) {
      return absl::DataLossError(absl::StrFormat(
          "checksum mismatch: record '%s' fails its CRC-32 check (stored %08x, contents give %08x): the file changed "
          "after it was written (disk error, partial copy, edit?)", name, crc, *computed));
    }
    return absl::OkStatus();
  }

  // CRC-32 of the next `stored` bytes of the file.
  absl::StatusOr<uint32_t> StoredCrc(const std::string& name, uint64_t stored) {
    uLong crc = crc32(0L, Z_NULL, 0);
    std::vector<unsigned char> chunk(1 << 20);
    for (uint64_t left = stored; left > 0;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
      if (std::fread(chunk.data(), 1, n, file_) != n) return Refused(absl::StrCat("cannot read record '", name, "'"));
      crc = crc32(crc, chunk.data(), static_cast<uInt>(n));
      left -= n;
    }
    return static_cast<uint32_t>(crc);
  }

  // CRC-32 of what the next `stored` bytes inflate to (raw deflate), which must be exactly `size` bytes.
  absl::StatusOr<uint32_t> InflatedCrc(const std::string& name, uint64_t stored, uint64_t size) {
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return absl::ResourceExhaustedError("zlib: cannot start inflating");
    std::vector<unsigned char> in(1 << 16), out(1 << 16);
    uLong crc = crc32(0L, Z_NULL, 0);
    uint64_t left = stored, produced = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      if (z.avail_in == 0 && left > 0) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(left, in.size()));
        if (std::fread(in.data(), 1, n, file_) != n) break;
        z.next_in = in.data();
        z.avail_in = static_cast<uInt>(n);
        left -= n;
      }
      z.next_out = out.data();
      z.avail_out = static_cast<uInt>(out.size());
      rc = inflate(&z, Z_NO_FLUSH);
      const size_t n = out.size() - z.avail_out;
      crc = crc32(crc, out.data(), static_cast<uInt>(n));
      produced += n;
      if ((rc != Z_OK && rc != Z_STREAM_END) || produced > size || (n == 0 && z.avail_in == 0 && left == 0)) break;
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || produced != size) {
      return Refused(absl::StrCat("record '", name, "' does not inflate to its stated ", size, " bytes"));
    }
    return static_cast<uint32_t>(crc);
  }

  std::FILE* file_;
  uint64_t size_;
  uint64_t entry_index_ = 0;
};

}  // namespace

absl::Status CheckZipArchive(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) {
    const int error = errno;
    const std::string message = absl::StrCat("cannot open: ", std::strerror(error));
    if (error == EACCES) return absl::PermissionDeniedError(message);
    return error == ENOENT ? absl::NotFoundError(message) : absl::InvalidArgumentError(message);
  }
  if (std::fseek(file.get(), 0, SEEK_END) != 0) return absl::InvalidArgumentError("cannot seek (not a regular file?)");
  const long size = std::ftell(file.get());
  if (size < 0) return absl::InvalidArgumentError("cannot tell its size (not a regular file?)");
  return ZipChecker(file.get(), static_cast<uint64_t>(size)).Check();
}

}  // namespace zegclip::base
