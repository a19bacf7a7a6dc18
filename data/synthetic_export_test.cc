#include "data/synthetic_export.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "data/image_io.h"
#include "data/voc_dataset.h"
#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

namespace fs = std::filesystem;

std::string FreshDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp ? tmp : "/tmp") + "/synthetic_export_" + name;
  fs::remove_all(dir);
  return dir;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

SyntheticExportOptions SmallExport() {
  SyntheticExportOptions options;
  options.world.seed = 7;
  // calib: the held-out calibration stream (eval.calibration_split), read back like any split.
  options.splits = {{"train", 12}, {"val", 5}, {"calib", 3}};
  return options;
}

FolderReaderOptions SyntheticReader() {
  FolderReaderOptions reader;
  reader.num_classes = static_cast<int>(SyntheticClassCount());
  return reader;
}

TEST(SyntheticExport, StoredLabelsFollowVocConvention) {
  const at::Tensor labels = at::tensor({0, 1, 35, 255}, at::kByte).reshape({2, 2});
  const at::Tensor stored = ToVocStoredLabels(labels);
  EXPECT_TRUE(at::equal(stored, at::tensor({1, 2, 36, 0}, at::kByte).reshape({2, 2}))) << stored;
  EXPECT_EQ(SyntheticExportId("val", 42), "val_000042");
}

// What OpenCV's JPEG codec makes of `rgb` at `quality`, decoded again: the independent reference for the pixels.
at::Tensor JpegRoundTrip(const at::Tensor& rgb, int quality) {
  const cv::Mat wrapped(static_cast<int>(rgb.size(0)), static_cast<int>(rgb.size(1)), CV_8UC3,
                        const_cast<uint8_t*>(rgb.contiguous().data_ptr<uint8_t>()));
  cv::Mat bgr;
  cv::cvtColor(wrapped, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> bytes;
  cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
  const cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_COLOR);
  at::Tensor out = at::empty({decoded.rows, decoded.cols, 3}, at::kByte);
  cv::Mat out_wrapped(decoded.rows, decoded.cols, CV_8UC3, out.data_ptr<uint8_t>());
  cv::cvtColor(decoded, out_wrapped, cv::COLOR_BGR2RGB);
  return out;
}

// The acceptance of the export: through the real VOC reader the labels are exactly the rendered ones, and the pixels
// exactly what JPEG makes of the rendered ones.
TEST(SyntheticExport, ReadsBackThroughTheVocReaderWithIdenticalLabels) {
  const std::string out = FreshDir("readback");
  const SyntheticExportOptions options = SmallExport();
  ASSERT_TRUE(ExportSyntheticWorld(options, out).ok());
  double worst_psnr = 1e9, worst_mean = 0;
  int64_t labelled = 0, ignored = 0;
  for (const auto& [split, size] : options.splits) {
    auto ds = CreateVocDataset(out, split, SyntheticReader());
    ASSERT_TRUE(ds.ok()) << ds.status();
    ASSERT_EQ((*ds)->size(), size);
    for (int64_t i = 0; i < size; ++i) {
      const absl::StatusOr<Sample> read = (*ds)->Get(i);
      ASSERT_TRUE(read.ok()) << read.status();
      const Sample rendered = RenderSyntheticScene(options.world, split, i).sample;
      EXPECT_EQ(read->id, SyntheticExportId(split, i));
      ASSERT_EQ(read->label.sizes(), rendered.label.sizes());
      EXPECT_TRUE(at::equal(read->label, rendered.label)) << split << " " << i;
      EXPECT_TRUE(at::equal(read->image, JpegRoundTrip(rendered.image, options.jpeg_quality))) << split << " " << i;
      const at::Tensor diff = read->image.to(at::kDouble) - rendered.image.to(at::kDouble);
      worst_mean = std::max(worst_mean, diff.abs().mean().item<double>());
      worst_psnr = std::min(worst_psnr, 10 * std::log10(255.0 * 255.0 / diff.square().mean().item<double>()));
      const int64_t ignore = read->label.eq(255).sum().item<int64_t>();
      ignored += ignore;
      labelled += read->label.numel() - ignore;
    }
  }
  EXPECT_GT(labelled, 0);
  EXPECT_GT(ignored, 0);
  // Quality 95 with OpenCV's 4:2:0 chroma on 4-px patterns and a noisy background: measured 27.3 dB, 6.4 mean.
  EXPECT_GT(worst_psnr, 25.0);
  EXPECT_LT(worst_mean, 10.0);
  std::cout << "JPEG round trip: worst PSNR " << worst_psnr << " dB, worst per-image mean |diff| " << worst_mean
            << "\n";
}

// The reader's class count must come from the class list: VOC's own 20 would reject the world's classes 20..35.
TEST(SyntheticExport, TwentyClassVocReaderRejectsTheWorldsUpperClasses) {
  const std::string out = FreshDir("twenty");
  const SyntheticExportOptions options = SmallExport();
  ASSERT_TRUE(ExportSyntheticWorld(options, out).ok());
  auto voc20 = CreateVocDataset(out, "train");
  ASSERT_TRUE(voc20.ok());
  int64_t rejected = 0, upper = 0;
  for (int64_t i = 0; i < 12; ++i) {
    const at::Tensor label = RenderSyntheticScene(options.world, "train", i).sample.label;
    const bool has_upper = label.ne(255).logical_and(label.ge(20)).any().item<bool>();
    upper += has_upper;
    const absl::StatusOr<Sample> s = (*voc20)->Get(i);
    rejected += !s.ok();
    EXPECT_EQ(!s.ok(), has_upper) << i;
    if (!s.ok()) {
      EXPECT_NE(s.status().message().find("no class of this dataset"), std::string::npos) << s.status();
    }
  }
  EXPECT_GT(upper, 0);
  EXPECT_EQ(rejected, upper);
}

TEST(SyntheticExport, DeterministicFromTheSeedAndWritesTheLayout) {
  const std::string a = FreshDir("a"), b = FreshDir("b"), c = FreshDir("c");
  SyntheticExportOptions options = SmallExport();
  ASSERT_TRUE(ExportSyntheticWorld(options, a).ok());
  ASSERT_TRUE(ExportSyntheticWorld(options, b).ok());
  options.world.seed = 8;
  ASSERT_TRUE(ExportSyntheticWorld(options, c).ok());
  for (const char* file : {"/JPEGImages/train_000003.jpg", "/SegmentationClass/val_000004.png",
                                  "/ImageSets/Segmentation/train.txt", "/classes.txt"}) {
    EXPECT_EQ(Slurp(a + file), Slurp(b + file)) << file;
  }
  EXPECT_NE(Slurp(a + "/SegmentationClass/train_000003.png"), Slurp(c + "/SegmentationClass/train_000003.png"));
  EXPECT_EQ(Slurp(a + "/ImageSets/Segmentation/val.txt"),
            "val_000000\nval_000001\nval_000002\nval_000003\nval_000004\n");
  std::string expected_names;
  for (const std::string& name : SyntheticClassNames()) expected_names += name + "\n";
  EXPECT_EQ(Slurp(a + "/classes.txt"), expected_names);
  // Labels are palette PNGs with VOC's colours, like VOC's own SegmentationClass.
  const std::string png = Slurp(a + "/SegmentationClass/train_000000.png");
  EXPECT_NE(png.find("PLTE"), std::string::npos);
  int64_t files = 0;
  for (const auto& entry : fs::directory_iterator(a + "/JPEGImages")) files += entry.path().extension() == ".jpg";
  EXPECT_EQ(files, 20);
  // A world of other compositions lists its own labels' names.
  const std::string wide = FreshDir("wide");
  options.world.compositions = {54, 4};
  ASSERT_TRUE(ExportSyntheticWorld(options, wide).ok());
  EXPECT_EQ(Slurp(wide + "/classes.txt"), "cyan gridded\nred dotted\n");
}

TEST(SyntheticExport, RefusesBadRequestsWithClearErrors) {
  const std::string out = FreshDir("refuse");
  SyntheticExportOptions options = SmallExport();
  // aug is read from SegmentationClassAug/, which the export does not write; a split names a file.
  options.splits = {{"aug", 3}};
  absl::Status s = ExportSyntheticWorld(options, out);
  EXPECT_NE(s.message().find("split \"aug\" is read from SegmentationClassAug/"), std::string::npos) << s;
  options.splits = {{"../x", 3}};
  s = ExportSyntheticWorld(options, out);
  EXPECT_NE(s.message().find("must be a name of a-z, 0-9 and _"), std::string::npos) << s;
  options.splits = {{"train", 0}};
  s = ExportSyntheticWorld(options, out);
  EXPECT_NE(s.message().find(">= 1 image"), std::string::npos) << s;
  options.splits = {{"train", 2}, {"train", 2}};
  EXPECT_NE(ExportSyntheticWorld(options, out).message().find("given twice"), std::string::npos);
  options.splits = {{"train", 2}};
  options.world.min_objects = 0;
  EXPECT_FALSE(ExportSyntheticWorld(options, out).ok());
  options.world.min_objects = 1;
  ASSERT_TRUE(ExportSyntheticWorld(options, out).ok());
  s = ExportSyntheticWorld(options, out);  // now not empty
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find(out), std::string::npos) << s;
}

}  // namespace
}  // namespace zegclip::data
