#include "data/dataset_check.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "data/image_io.h"
#include "data/synthetic_export.h"
#include "data/voc_dataset.h"
#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Spit(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// A synthetic export of 8 train images, seed 3; sample 0 stays good, samples 1..6 each get one defect, 7 stays good.
struct BrokenFolder {
  std::string root;
  SyntheticExportOptions options;

  explicit BrokenFolder(const std::string& name) {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root = std::string(tmp ? tmp : "/tmp") + "/dataset_check_" + name;
    fs::remove_all(root);
    options.world.seed = 3;
    options.world.image_size = 32;
    options.world.min_object_size = 8;
    options.world.max_object_size = 20;
    options.splits = {{"train", 8}};
  }
  std::string Image(int i) const { return root + "/JPEGImages/" + SyntheticExportId("train", i) + ".jpg"; }
  std::string Label(int i) const { return root + "/SegmentationClass/" + SyntheticExportId("train", i) + ".png"; }

  void Break() {
    ASSERT_TRUE(ExportSyntheticWorld(options, root).ok());
    Spit(Image(1), "this is no JPEG");                            // corrupt
    const std::string jpeg = Slurp(Image(2));
    Spit(Image(2), jpeg.substr(0, jpeg.size() / 2));              // cut short: libjpeg alone would fill in grey
    fs::remove(Image(3));                                         // missing image
    ASSERT_TRUE(WriteIndexPng(Label(4), at::ones({24, 32}, at::kByte), &VocPalette()).ok());  // wrong size
    at::Tensor foreign = ToVocStoredLabels(RenderSyntheticScene(options.world, "train", 5).sample.label);
    foreign.slice(0, 0, 2).fill_(37);                             // two rows of an id no class has
    ASSERT_TRUE(WriteIndexPng(Label(5), foreign, nullptr).ok());
    Spit(Label(6), "\x89PNG\r\n\x1a\n garbage");                  // corrupt label
  }
};

std::unique_ptr<FolderDataset> Listing(const std::string& root) {
  FolderReaderOptions reader;
  reader.num_classes = static_cast<int>(SyntheticClassCount());
  reader.require_files = false;
  auto ds = CreateVocDataset(root, "train", reader);
  EXPECT_TRUE(ds.ok()) << ds.status();
  return ds.ok() ? *std::move(ds) : nullptr;
}

TEST(DatasetCheck, ListsEveryBadFileWithItsReason) {
  BrokenFolder folder("every");
  folder.Break();
  const std::unique_ptr<FolderDataset> ds = Listing(folder.root);
  ASSERT_NE(ds, nullptr);
  const DatasetCheck check = CheckFolderDataset(*ds, /*threads=*/2);
  EXPECT_EQ(check.name, "voc2012/train");
  EXPECT_EQ(check.listed, 8);
  EXPECT_EQ(check.good, 2);
  ASSERT_EQ(check.bad.size(), 6u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {folder.Image(1), kCorruptFile}, {folder.Image(2), kCorruptFile}, {folder.Image(3), kMissingFile},
      {folder.Label(4), kWrongSize},   {folder.Label(5), kOutOfRangeIds}, {folder.Label(6), kCorruptFile}};
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(check.bad[k].path, expected[k].first) << k;
    EXPECT_EQ(check.bad[k].reason, expected[k].second) << k << ": " << check.bad[k].detail;
  }
  EXPECT_NE(check.bad[1].detail.find("truncated JPEG"), std::string::npos) << check.bad[1].detail;
  EXPECT_NE(check.bad[3].detail.find("label is 32x24 (WxH)"), std::string::npos) << check.bad[3].detail;
  EXPECT_NE(check.bad[3].detail.find("is 32x32"), std::string::npos) << check.bad[3].detail;
  EXPECT_NE(check.bad[4].detail.find("37 (64 px)"), std::string::npos) << check.bad[4].detail;
  EXPECT_NE(check.bad[4].detail.find("accepts 0-36, 255"), std::string::npos) << check.bad[4].detail;
}

// Files that are neither missing nor corrupt: a symlink loop, a folder in a label's place, a JPEG whose header
// claims 30000x30000 pixels. Each is reported with its own reason instead of aborting the check.
TEST(DatasetCheck, UnreadableAndOversizedFilesAreReportedNotThrown) {
  BrokenFolder folder("hostile");
  ASSERT_TRUE(ExportSyntheticWorld(folder.options, folder.root).ok());
  fs::remove(folder.Image(1));
  fs::create_symlink(fs::path(folder.Image(1)).filename(), folder.Image(1));  // points at itself
  fs::remove(folder.Label(2));
  fs::create_directory(folder.Label(2));
  // SOI, then a baseline frame header: precision 8, height 30000, width 30000, 3 components.
  // (sizeof - 1: the bytes hold NULs; a hand-counted length read past the literal, found under ASan.)
  static constexpr char kBomb[] = "\xFF\xD8\xFF\xC0\x00\x11\x08\x75\x30\x75\x30\x03"
                                  "\x01\x22\x00\x02\x11\x01\x03\x11\x01\xFF\xD9";
  Spit(folder.Image(3), std::string(kBomb, sizeof(kBomb) - 1));
  const std::unique_ptr<FolderDataset> ds = Listing(folder.root);
  ASSERT_NE(ds, nullptr);
  const DatasetCheck check = CheckFolderDataset(*ds, /*threads=*/2);
  ASSERT_EQ(check.bad.size(), 3u);
  EXPECT_EQ(check.good, 5);
  EXPECT_EQ(check.bad[0].path, folder.Image(1));
  EXPECT_EQ(check.bad[0].reason, kUnreadableFile);
  EXPECT_EQ(check.bad[0].detail, "image file " + folder.Image(1) + ": too many levels of symbolic links");
  EXPECT_EQ(check.bad[1].path, folder.Label(2));
  EXPECT_EQ(check.bad[1].reason, kUnreadableFile);
  EXPECT_EQ(check.bad[1].detail, "label file " + folder.Label(2) + ": is a folder, not a file");
  EXPECT_EQ(check.bad[2].path, folder.Image(3));
  EXPECT_EQ(check.bad[2].reason, kTooLarge);
  EXPECT_EQ(check.bad[2].detail, "image file " + folder.Image(3) +
                                     ": 30000x30000 pixels, more than the 268435456 (2^28) one image may have");
}

TEST(DatasetCheck, HistogramCountsTheGoodPairsAfterTheReadersMapping) {
  BrokenFolder folder("histogram");
  folder.Break();
  const std::unique_ptr<FolderDataset> ds = Listing(folder.root);
  ASSERT_NE(ds, nullptr);
  const DatasetCheck one = CheckFolderDataset(*ds, 1);
  const DatasetCheck four = CheckFolderDataset(*ds, 4);
  ASSERT_EQ(one.num_classes, 36);
  // Independent reference: the rendered labels of the two good samples (0 and 7).
  at::Tensor expected = at::zeros({256}, at::kLong);
  for (int i : {0, 7}) {
    expected += at::bincount(RenderSyntheticScene(folder.options.world, "train", i).sample.label.to(at::kLong)
                                 .flatten(), {}, 256);
  }
  for (int64_t c = 0; c < 36; ++c) EXPECT_EQ(one.class_pixels[c], expected[c].item<int64_t>()) << c;
  EXPECT_EQ(one.ignore_pixels, expected[255].item<int64_t>());
  EXPECT_EQ(one.ignore_pixels + std::accumulate(one.class_pixels.begin(), one.class_pixels.end(), int64_t{0}),
            2 * 32 * 32);
  EXPECT_EQ(one.class_pixels, four.class_pixels);
  ASSERT_EQ(one.bad.size(), four.bad.size());
  for (size_t k = 0; k < one.bad.size(); ++k) EXPECT_EQ(one.bad[k].path, four.bad[k].path);
}

TEST(DatasetCheck, CleanExportHasNoBadFile) {
  BrokenFolder folder("clean");
  ASSERT_TRUE(ExportSyntheticWorld(folder.options, folder.root).ok());
  const std::unique_ptr<FolderDataset> ds = Listing(folder.root);
  ASSERT_NE(ds, nullptr);
  const DatasetCheck check = CheckFolderDataset(*ds);
  EXPECT_EQ(check.good, 8);
  EXPECT_TRUE(check.bad.empty());
  EXPECT_EQ(check.ignore_pixels + std::accumulate(check.class_pixels.begin(), check.class_pixels.end(), int64_t{0}),
            8 * 32 * 32);
}

TEST(DatasetCheck, AcceptedValuesDescribeTheLabelMap) {
  EXPECT_EQ(AcceptedLabelValues(ReduceZeroLabelMap(36)), "0-36, 255");
  EXPECT_EQ(AcceptedLabelValues(ReduceZeroLabelMap(20)), "0-20, 255");
  EXPECT_EQ(AcceptedLabelValues(IdentityLabelMap(171)), "0-170, 255");
}

TEST(DatasetCheck, TruncatedJpegDetection) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/dataset_check_truncated.jpg";
  ASSERT_TRUE(WriteRgbImage(path, at::randint(0, 255, {40, 48, 3}, at::kByte)).ok());
  const std::string jpeg = Slurp(path);
  EXPECT_FALSE(IsTruncatedJpeg(jpeg));
  EXPECT_FALSE(IsTruncatedJpeg(jpeg + std::string(5000, 'x')));  // data appended after EOI (motion photos)
  EXPECT_FALSE(IsTruncatedJpeg("\x89PNG not a jpeg"));
  for (size_t cut : {jpeg.size() - 1, jpeg.size() / 2, size_t{40}, size_t{3}}) {
    EXPECT_TRUE(IsTruncatedJpeg(jpeg.substr(0, cut))) << cut;
  }
  Spit(path, jpeg.substr(0, jpeg.size() - 100));
  const absl::StatusOr<at::Tensor> read = ReadRgbImage(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(read.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace zegclip::data
