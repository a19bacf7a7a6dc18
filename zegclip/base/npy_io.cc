#include "zegclip/base/npy_io.h"

#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "zegclip/base/path_check.h"
#include "zegclip/base/atomic_file.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy_io copies little-endian data byte for byte");

namespace zegclip::base {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// numpy aligns the data to 64 bytes and leaves room for the first axis to grow to 21 digits in place.
constexpr size_t kAlign = 64;
constexpr size_t kGrowthDigits = 21;

struct DtypeInfo {
  char kind;  // numpy kind character: f, i, u, b
  int size;   // bytes per element
  at::ScalarType type;
};

const std::vector<DtypeInfo>& Dtypes() {
  static const auto* dtypes = new std::vector<DtypeInfo>{
      {'f', 4, at::kFloat}, {'f', 2, at::kHalf}, {'f', 8, at::kDouble}, {'i', 8, at::kLong},
      {'i', 4, at::kInt},   {'u', 1, at::kByte}, {'b', 1, at::kBool},
  };
  return *dtypes;
}

std::string DescrOf(const DtypeInfo& d) {
  return absl::StrCat(d.size == 1 ? "|" : "<", std::string(1, d.kind), d.size);
}

std::string SupportedDescrs() {
  std::vector<std::string> names;
  for (const DtypeInfo& d : Dtypes()) names.push_back(DescrOf(d));
  return absl::StrJoin(names, ", ");
}

// The header's Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  bool has_descr = false, has_fortran = false, has_shape = false;
};

class HeaderParser {
 public:
  explicit HeaderParser(const std::string& text) : text_(text) {}

  // Returns "" on success, else what was wrong.
  std::string Parse(Header* header) {
    SkipSpace();
    if (!Consume('{')) return "expected '{'";
    while (true) {
      SkipSpace();
      if (Consume('}')) break;
      std::string key;
      if (!ParseString(&key)) return "expected a quoted key";
      SkipSpace();
      if (!Consume(':')) return absl::StrCat("expected ':' after '", key, "'");
      SkipSpace();
      std::string error = ParseValue(key, header);
      if (!error.empty()) return error;
      SkipSpace();
      if (!Consume(',')) {
        SkipSpace();
        if (!Consume('}')) return "expected ',' or '}'";
        break;
      }
    }
    SkipSpace();
    if (pos_ != text_.size()) return "unexpected text after the dictionary";
    if (!header->has_descr || !header->has_fortran || !header->has_shape) {
      return "the dictionary must have the keys 'descr', 'fortran_order' and 'shape'";
    }
    return "";
  }

 private:
  std::string ParseValue(const std::string& key, Header* header) {
    if (key == "descr") {
      header->has_descr = true;
      return ParseString(&header->descr) ? "" : "'descr' must be a quoted string";
    }
    if (key == "fortran_order") {
      header->has_fortran = true;
      if (ConsumeWord("True")) {
        header->fortran_order = true;
      } else if (!ConsumeWord("False")) {
        return "'fortran_order' must be True or False";
      }
      return "";
    }
    if (key == "shape") {
      header->has_shape = true;
      return ParseShape(&header->shape) ? "" : "'shape' must be a tuple of non-negative integers";
    }
    return absl::StrCat("unknown key '", key, "'");
  }

  bool ParseShape(std::vector<int64_t>* shape) {
    if (!Consume('(')) return false;
    while (true) {
      SkipSpace();
      if (Consume(')')) return true;
      int64_t value = 0;
      size_t digits = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) return false;
        value = value * 10 + (text_[pos_++] - '0');
        ++digits;
      }
      if (digits == 0) return false;
      Consume('L');  // Python 2 longs
      shape->push_back(value);
      SkipSpace();
      if (!Consume(',')) {
        SkipSpace();
        return Consume(')');
      }
    }
  }

  bool ParseString(std::string* out) {
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return false;
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string::npos) return false;
    *out = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return true;
  }

  bool ConsumeWord(const char* word) {
    const size_t n = std::strlen(word);
    if (text_.compare(pos_, n, word) != 0) return false;
    pos_ += n;
    return true;
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  const std::string& text_;
  size_t pos_ = 0;
};

// descr -> dtype; "" error means OK.
std::string LookUpDescr(const std::string& descr, const DtypeInfo** out) {
  if (descr.size() >= 2 && descr[0] == '>') {
    return absl::StrCat("dtype '", descr, "' is big-endian, which is not supported (supported: ", SupportedDescrs(),
                        ")");
  }
  for (const DtypeInfo& d : Dtypes()) {
    const std::string body = absl::StrCat(std::string(1, d.kind), d.size);
    const bool order_ok = descr.size() == body.size() + 1 && descr.substr(1) == body &&
                          (descr[0] == '<' || descr[0] == '=' || (d.size == 1 && descr[0] == '|'));
    if (order_ok) {
      *out = &d;
      return "";
    }
  }
  return absl::StrCat("unsupported dtype '", descr, "' (supported: ", SupportedDescrs(), ")");
}

uint32_t ReadLittleEndian(const std::string& bytes, size_t offset, int size) {
  uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[offset + i]);
  return value;
}

std::string ShapeRepr(const std::vector<int64_t>& shape) {
  if (shape.size() == 1) return absl::StrCat("(", shape[0], ",)");
  return absl::StrCat("(", absl::StrJoin(shape, ", "), ")");
}

}  // namespace

absl::StatusOr<at::Tensor> ParseNpy(const std::string& bytes, const std::string& name) {
  auto error = [&name](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat("NumPy file ", name, ": ", what));
  };
  if (bytes.size() < kMagicSize + 2 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    return error("not a .npy file (bad magic bytes; expected \\x93NUMPY)");
  }
  const int major = static_cast<uint8_t>(bytes[6]);
  const int minor = static_cast<uint8_t>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    return error(absl::StrCat("unsupported format version ", major, ".", minor, " (supported: 1.0, 2.0, 3.0)"));
  }
  const int length_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicSize + 2 + length_bytes;
  if (bytes.size() < prefix) return error("truncated header");
  const size_t header_size = ReadLittleEndian(bytes, kMagicSize + 2, length_bytes);
  if (bytes.size() < prefix + header_size) {
    return error(absl::StrCat("truncated header (", header_size, " header bytes announced, ", bytes.size() - prefix,
                              " present)"));
  }
  Header header;
  const std::string problem = HeaderParser(bytes.substr(prefix, header_size)).Parse(&header);
  if (!problem.empty()) return error(absl::StrCat("malformed header: ", problem));
  if (header.fortran_order) {
    return error(
        "Fortran-order (column-major) data is not supported; save a C-order array "
        "(np.ascontiguousarray)");
  }
  const DtypeInfo* dtype = nullptr;
  const std::string dtype_problem = LookUpDescr(header.descr, &dtype);
  if (!dtype_problem.empty()) return error(dtype_problem);
  uint64_t numel = 1;
  for (int64_t d : header.shape) {
    if (d != 0 && numel > std::numeric_limits<uint64_t>::max() / 8 / static_cast<uint64_t>(d)) {
      return error(absl::StrCat("shape ", ShapeRepr(header.shape), " is too large"));
    }
    numel *= static_cast<uint64_t>(d);
  }
  const uint64_t data_size = numel * static_cast<uint64_t>(dtype->size);
  const uint64_t present = bytes.size() - prefix - header_size;
  if (present != data_size) {
    return error(absl::StrCat(present < data_size ? "truncated data: " : "trailing bytes after the data: ", "shape ",
                              ShapeRepr(header.shape), " of ", header.descr, " needs ", data_size,
                              " bytes, the file has ", present));
  }
  at::Tensor tensor = at::empty(header.shape, at::TensorOptions().dtype(dtype->type));
  if (data_size > 0) std::memcpy(tensor.data_ptr(), bytes.data() + prefix + header_size, data_size);
  if (dtype->type == at::kBool && data_size > 0 && tensor.view(at::kByte).gt(1).any().item<bool>()) {
    return error("boolean data holds bytes other than 0 and 1");
  }
  return tensor;
}

absl::StatusOr<std::string> SerializeNpy(const at::Tensor& tensor) {
  const DtypeInfo* dtype = nullptr;
  for (const DtypeInfo& d : Dtypes()) {
    if (d.type == tensor.scalar_type()) dtype = &d;
  }
  if (dtype == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot write tensor of dtype ", at::toString(tensor.scalar_type()),
                                                   " as .npy (supported: float32, float16, float64, int64, int32, ",
                                                   "uint8, bool)"));
  }
  const at::Tensor data = tensor.detach().to(at::kCPU).contiguous();
  const std::vector<int64_t> shape(data.sizes().begin(), data.sizes().end());
  std::string dict =
      absl::StrCat("{'descr': '", DescrOf(*dtype), "', 'fortran_order': False, 'shape': ", ShapeRepr(shape), ", }");
  if (!shape.empty()) dict.append(kGrowthDigits - absl::StrCat(shape[0]).size(), ' ');
  // Version 1.0 while the padded header length fits 16 bits, else 2.0 (np.save's choice); it ends in '\n'.
  auto padding = [&dict](int length_bytes) {
    return kAlign - (kMagicSize + 2 + length_bytes + dict.size() + 1) % kAlign;
  };
  int length_bytes = 2;
  if (dict.size() + 1 + padding(2) > 65535) length_bytes = 4;
  const size_t pad = padding(length_bytes);
  const uint32_t header_size = static_cast<uint32_t>(dict.size() + pad + 1);
  std::string out(kMagic, kMagicSize);
  out.push_back(static_cast<char>(length_bytes == 2 ? 1 : 2));
  out.push_back('\0');
  for (int i = 0; i < length_bytes; ++i) out.push_back(static_cast<char>((header_size >> (8 * i)) & 0xff));
  out += dict;
  out.append(pad, ' ');
  out.push_back('\n');
  const size_t data_size = static_cast<size_t>(data.numel()) * static_cast<size_t>(dtype->size);
  out.append(static_cast<const char*>(data.data_ptr()), data_size);
  return out;
}

absl::StatusOr<at::Tensor> ReadNpy(const std::string& path) {
  if (absl::Status s = base::CheckReadableFile(path, "NumPy file"); !s.ok()) {
    if (s.code() != absl::StatusCode::kNotFound) return s;  // permission denied, a folder, a symlink loop
    return absl::NotFoundError(absl::StrCat("NumPy file ", path, " does not exist or cannot be read"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("NumPy file ", path, " does not exist or cannot be read"));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("NumPy file ", path, ": read failed"));
  return ParseNpy(contents.str(), path);
}

absl::Status WriteNpy(const std::string& path, const at::Tensor& tensor) {
  absl::StatusOr<std::string> bytes = SerializeNpy(tensor);
  if (!bytes.ok()) return absl::InvalidArgumentError(absl::StrCat("NumPy file ", path, ": ", bytes.status().message()));
  return base::WriteFileAtomically(path, *bytes);
}

}  // namespace zegclip::base
