#include "zegclip/base/zip_check.h"

#include <gtest/gtest.h>
#include <torch/serialize.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#include "zegclip/testing/temp_path.h"

namespace zegclip::base {
namespace {

using ::zegclip::testing::TempPath;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A torch::save archive (the writer every checkpoint and tensor archive goes through) holding known floats.
std::string SavedArchive(const std::string& name) {
  const std::string path = TempPath(name);
  torch::save(at::arange(1000, at::kFloat) * 0.5, path);
  return path;
}

size_t FindFloats(const std::string& bytes) {
  const at::Tensor t = at::arange(1000, at::kFloat) * 0.5;
  const std::string needle(static_cast<const char*>(t.data_ptr()), 64);
  return bytes.find(needle);
}

TEST(ZipCheck, AcceptsWhatLibTorchWrites) {
  EXPECT_TRUE(CheckZipArchive(SavedArchive("ok.pt")).ok()) << CheckZipArchive(SavedArchive("ok.pt"));
  std::vector<char> pickled = torch::pickle_save(c10::IValue(at::ones({3, 3})));
  WriteAll(TempPath("pickled.pt"), std::string(pickled.begin(), pickled.end()));
  EXPECT_TRUE(CheckZipArchive(TempPath("pickled.pt")).ok());
}

// torch::serialize archives are TorchScript archives: their code records are deflated.
TEST(ZipCheck, DeflatedRecordsAreInflatedAndChecked) {
  const std::string path = TempPath("script.pt");
  torch::serialize::OutputArchive archive;
  // Enough attributes that the module's code record compresses (miniz stores what does not shrink).
  for (int i = 0; i < 12; ++i) archive.write("weight_of_layer_" + std::to_string(i), at::ones({4}));
  archive.save_to(path);
  ASSERT_TRUE(CheckZipArchive(path).ok()) << CheckZipArchive(path);
  std::string bytes = ReadAll(path);
  const size_t entry = bytes.find(std::string("PK\x03\x04", 4));
  size_t deflated = entry;
  while (deflated != std::string::npos && bytes[deflated + 8] != 8) {
    deflated = bytes.find(std::string("PK\x03\x04", 4), deflated + 4);
  }
  ASSERT_NE(deflated, std::string::npos) << "no deflated record in a TorchScript archive";
  const size_t data = deflated + 30 + static_cast<unsigned char>(bytes[deflated + 26]) +
                      256 * static_cast<unsigned char>(bytes[deflated + 27]) +
                      static_cast<unsigned char>(bytes[deflated + 28]) +
                      256 * static_cast<unsigned char>(bytes[deflated + 29]);
  bytes[data + 2] ^= 0x10;
  WriteAll(path, bytes);
  EXPECT_FALSE(CheckZipArchive(path).ok()) << "a flipped bit in deflated data must be caught";
}

TEST(ZipCheck, AFlippedByteInARecordIsAChecksumMismatch) {
  const std::string path = SavedArchive("flip.pt");
  std::string bytes = ReadAll(path);
  const size_t at = FindFloats(bytes);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] ^= 0x01;
  WriteAll(path, bytes);
  const absl::Status s = CheckZipArchive(path);
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_EQ(s.message().rfind("checksum mismatch: record '", 0), 0u) << s;
  EXPECT_NE(s.message().find("/data/0' fails its CRC-32 check"), std::string::npos) << s;
}

TEST(ZipCheck, TruncatedAndForeignFilesAreRefused) {
  const std::string bytes = ReadAll(SavedArchive("whole.pt"));
  for (size_t keep : {bytes.size() - 1, bytes.size() / 2, size_t{30}, size_t{0}}) {
    WriteAll(TempPath("cut.pt"), bytes.substr(0, keep));
    const absl::Status s = CheckZipArchive(TempPath("cut.pt"));
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << keep << ": " << s;
  }
  WriteAll(TempPath("text.pt"), "not a zip archive at all, just some text that is long enough");
  EXPECT_NE(CheckZipArchive(TempPath("text.pt")).message().find("not a zip archive"), std::string::npos);
  EXPECT_TRUE(absl::IsNotFound(CheckZipArchive(TempPath("missing.pt"))));
  EXPECT_FALSE(CheckZipArchive(::testing::TempDir()).ok());
}

// Damaged directory entries: the offsets LibTorch's reader would follow without checking.
TEST(ZipCheck, DirectoryPointingOutsideTheFileIsRefused) {
  const std::string bytes = ReadAll(SavedArchive("dir.pt"));
  const size_t entry = bytes.find(std::string("PK\x01\x02", 4));
  ASSERT_NE(entry, std::string::npos);
  // Local header offset (entry + 42) pointed past the end, or at a byte that starts no local header.
  for (uint32_t offset : {0x7FFFFFF0u, 7u}) {
    std::string damaged = bytes;
    for (int i = 0; i < 4; ++i) damaged[entry + 42 + i] = static_cast<char>((offset >> (8 * i)) & 0xFF);
    WriteAll(TempPath("damaged.pt"), damaged);
    const absl::Status s = CheckZipArchive(TempPath("damaged.pt"));
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  }
  // A compression method PyTorch never writes.
  std::string bzip2 = bytes;
  bzip2[entry + 10] = 12;
  WriteAll(TempPath("bzip2.pt"), bzip2);
  EXPECT_NE(CheckZipArchive(TempPath("bzip2.pt")).message().find("compression method 12"), std::string::npos);
}

}  // namespace
}  // namespace zegclip::base
