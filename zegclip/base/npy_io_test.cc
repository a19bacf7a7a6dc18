// .npy reading and writing: round trips, a header written out by hand byte for byte, files written by numpy
// itself (testdata/make_npy_fixtures.py) read back and re-serialised byte-identically, and every error path.
#include "zegclip/base/npy_io.h"
#include "zegclip/testing/temp_path.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace zegclip::base {
namespace {

using ::zegclip::testing::TempPath;

using ::testing::HasSubstr;

constexpr char kTestdata[] = "zegclip/base/testdata/";

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fixtures' values: 0.25 * i - 1 in row-major order.
at::Tensor Ramp(int64_t n, at::ScalarType type) { return (at::arange(n, at::kDouble) * 0.25 - 1.0).to(type); }

TEST(NpyIo, HandWrittenHeaderIsByteExact) {
  const at::Tensor t = at::tensor({1.0f, -2.0f, 0.5f, 3.0f, 0.0f, -0.25f}).reshape({2, 3});
  // magic, version 1.0, header length 118 (little-endian), the dict, 20 spaces of growth room for the first axis,
  // 38 spaces of padding to a 64-byte boundary (10 + 118 = 128), '\n', then 6 little-endian floats.
  std::string expected("\x93NUMPY\x01\x00\x76\x00", 10);
  expected += "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  expected += std::string(20 + 38, ' ') + "\n";
  ASSERT_EQ(expected.size(), 128u);
  const float values[] = {1.0f, -2.0f, 0.5f, 3.0f, 0.0f, -0.25f};
  expected.append(reinterpret_cast<const char*>(values), sizeof(values));
  absl::StatusOr<std::string> bytes = SerializeNpy(t);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, expected);
}

TEST(NpyIo, RoundTripsEveryDtypeAndRank) {
  const std::vector<at::Tensor> tensors = {
      at::randn({7, 512}),
      at::randn({3, 4, 5}).to(at::kHalf),
      at::randn({11}, at::kDouble),
      at::arange(-6, 6, at::kLong).reshape({3, 2, 2}) * (int64_t{1} << 40),
      at::arange(-3, 3, at::kInt),
      at::arange(0, 250, 7, at::kLong).to(at::kByte),
      at::tensor({1, 0, 1}).to(at::kBool),
      at::scalar_tensor(2.5, at::kFloat),
      at::zeros({0, 512}),
      at::randn({2, 1, 1, 3, 1, 2}),
  };
  for (const at::Tensor& t : tensors) {
    const std::string path = TempPath("round_trip.npy");
    ASSERT_TRUE(WriteNpy(path, t).ok());
    absl::StatusOr<at::Tensor> back = ReadNpy(path);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->scalar_type(), t.scalar_type());
    EXPECT_EQ(back->sizes(), t.sizes());
    EXPECT_TRUE(at::equal(*back, t)) << t.sizes();
  }
}

TEST(NpyIo, NonContiguousTensorIsWrittenInLogicalOrder) {
  const at::Tensor t = at::arange(12, at::kFloat).reshape({3, 4}).t();  // (4, 3), column-major in memory
  absl::StatusOr<std::string> bytes = SerializeNpy(t);
  ASSERT_TRUE(bytes.ok());
  absl::StatusOr<at::Tensor> back = ParseNpy(*bytes, "memory");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(at::equal(*back, t));
  EXPECT_EQ((*back)[0][1].item<float>(), 4.0f);
}

TEST(NpyIo, LongFirstAxisKeepsVersionOneAndAlignment) {
  // 10 + header is always a multiple of 64 and the data starts there, whatever the digits of the shape.
  for (int64_t rows : {1, 10, 171, 123456}) {
    absl::StatusOr<std::string> bytes = SerializeNpy(at::zeros({rows, 2}, at::kByte));
    ASSERT_TRUE(bytes.ok());
    const size_t header = static_cast<uint8_t>((*bytes)[8]) + 256 * static_cast<uint8_t>((*bytes)[9]);
    EXPECT_EQ((*bytes)[6], 1);
    EXPECT_EQ((10 + header) % 64, 0u);
    EXPECT_EQ(bytes->size(), 10 + header + static_cast<size_t>(rows) * 2);
  }
}

struct NumpyFixture {
  const char* file;
  at::Tensor expected;
  bool version_one;  // written by np.save with version 1.0: our serialisation must equal numpy's bytes
};

TEST(NpyIo, ReadsNumpyWrittenFilesAndWritesTheSameBytes) {
  const std::vector<NumpyFixture> fixtures = {
      {"numpy_f4_2x3x4.npy", Ramp(24, at::kFloat).reshape({2, 3, 4}), true},
      {"numpy_f2_2x3.npy", Ramp(6, at::kHalf).reshape({2, 3}), true},
      {"numpy_f8_5.npy", Ramp(5, at::kDouble), true},
      {"numpy_i8_2x2.npy", at::tensor({int64_t{-3}, int64_t{0}, int64_t{7}, int64_t{1} << 40}).reshape({2, 2}), true},
      {"numpy_f4_scalar.npy", at::scalar_tensor(3.5, at::kFloat), true},
      {"numpy_f4_0x3.npy", at::zeros({0, 3}), true},
      {"numpy_v2_f4_3x2.npy", Ramp(6, at::kFloat).reshape({3, 2}), false},
  };
  for (const NumpyFixture& f : fixtures) {
    const std::string path = std::string(kTestdata) + f.file;
    absl::StatusOr<at::Tensor> t = ReadNpy(path);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->scalar_type(), f.expected.scalar_type()) << f.file;
    EXPECT_EQ(t->sizes(), f.expected.sizes()) << f.file;
    EXPECT_TRUE(at::equal(*t, f.expected)) << f.file;
    if (f.version_one) {
      absl::StatusOr<std::string> ours = SerializeNpy(*t);
      ASSERT_TRUE(ours.ok());
      EXPECT_EQ(*ours, FileBytes(path)) << f.file;
    }
  }
}

void ExpectError(const std::string& bytes, const std::string& what) {
  absl::StatusOr<at::Tensor> t = ParseNpy(bytes, "bad.npy");
  ASSERT_FALSE(t.ok()) << what;
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("bad.npy")) << what;
  EXPECT_THAT(std::string(t.status().message()), HasSubstr(what));
}

std::string WithHeader(const std::string& dict, const std::string& data) {
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(dict.size()));
  out.push_back('\0');
  return out + dict + data;
}

TEST(NpyIo, ErrorsNameTheFileAndTheProblem) {
  const std::string good = *SerializeNpy(at::ones({2, 3}));
  ExpectError("PK\x03\x04 this is a zip", "bad magic");
  ExpectError("", "bad magic");
  ExpectError(std::string("\x93NUMPY\x04\x00", 8) + good.substr(8), "unsupported format version 4.0");
  ExpectError(good.substr(0, 40), "truncated header");
  ExpectError(good.substr(0, good.size() - 1), "truncated data");
  ExpectError(good + "x", "trailing bytes");
  ExpectError(FileBytes(std::string(kTestdata) + "numpy_fortran_f4_2x3.npy"), "Fortran-order");
  ExpectError(FileBytes(std::string(kTestdata) + "numpy_big_endian_f4_2.npy"), "big-endian");
  ExpectError(WithHeader("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n", "12345678"),
              "unsupported dtype '|O'");
  ExpectError(WithHeader("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }\n", "123456789012"),
              "supported: <f4, <f2, <f8, <i8");
  ExpectError(WithHeader("{'descr': '<f4', 'shape': (1,), }\n", "1234"), "must have the keys");
  ExpectError(WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n", ""), "malformed header");
  ExpectError(WithHeader("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }\n", "1234"),
              "'fortran_order' must be True or False");
  ExpectError(WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", "1234"),
              "unknown key 'x'");
  ExpectError(WithHeader("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }\n", "\x01\x07"),
              "other than 0 and 1");
}

TEST(NpyIo, AcceptsHeaderSpellingVariants) {
  // Double quotes, keys in another order, no trailing comma, a Python 2 long, native '=' byte order.
  const std::string data("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);
  absl::StatusOr<at::Tensor> t =
      ParseNpy(WithHeader("{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"=f4\"}  \n", data), "ok.npy");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(at::equal(*t, at::tensor({1.0f, 2.0f})));
}

TEST(NpyIo, FileErrors) {
  absl::StatusOr<at::Tensor> missing = ReadNpy(TempPath("no_such_file.npy"));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no_such_file.npy does not exist"));
  EXPECT_FALSE(ReadNpy(std::getenv("TEST_TMPDIR") != nullptr ? std::getenv("TEST_TMPDIR") : "/tmp").ok());
  absl::Status no_folder = WriteNpy(TempPath("no_such_folder/x.npy"), at::ones({2}));
  ASSERT_FALSE(no_folder.ok());
  EXPECT_THAT(std::string(no_folder.message()), HasSubstr("no_such_folder/x.npy"));
  absl::Status bad_dtype = WriteNpy(TempPath("complex.npy"), at::ones({2}, at::kComplexFloat));
  ASSERT_FALSE(bad_dtype.ok());
  EXPECT_THAT(std::string(bad_dtype.message()), HasSubstr("complex.npy"));
  EXPECT_THAT(std::string(bad_dtype.message()), HasSubstr("supported: float32"));
}

}  // namespace
}  // namespace zegclip::base
