#include "data/voc_dataset.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data/image_io.h"
#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

namespace fs = std::filesystem;

std::string FreshRoot(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string root = std::string(tmp ? tmp : "/tmp") + "/voc_" + name;
  fs::remove_all(root);
  fs::create_directories(root + "/JPEGImages");
  fs::create_directories(root + "/SegmentationClass");
  fs::create_directories(root + "/SegmentationClassAug");
  fs::create_directories(root + "/ImageSets/Segmentation");
  return root;
}

void WriteList(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// An image of h x w and a palette label with background (0), class 1, class 20 and border (255).
void AddPair(const std::string& root, const std::string& id, const std::string& label_folder, bool palette = true) {
  ASSERT_TRUE(WriteRgbImage(root + "/JPEGImages/" + id + ".jpg", at::full({10, 12, 3}, 90, at::kByte)).ok());
  at::Tensor label = at::zeros({10, 12}, at::kByte);
  label.slice(0, 2, 4).fill_(1);
  label.slice(0, 4, 6).fill_(20);
  label.slice(0, 6, 7).fill_(255);
  ASSERT_TRUE(WriteIndexPng(root + "/" + label_folder + "/" + id + ".png", label, palette ? &VocPalette() : nullptr)
                  .ok());
}

TEST(VocDataset, MapsBackgroundAndBorderToIgnoreAndShiftsClasses) {
  const std::string root = FreshRoot("map");
  AddPair(root, "2007_000032", "SegmentationClass");
  AddPair(root, "2007_000033", "SegmentationClass");
  WriteList(root + "/ImageSets/Segmentation/val.txt", "2007_000032\n2007_000033\n\n");
  auto ds = CreateVocDataset(root, "val");
  ASSERT_TRUE(ds.ok()) << ds.status();
  ASSERT_EQ((*ds)->size(), 2);
  const absl::StatusOr<Sample> s = (*ds)->Get(1);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->id, "2007_000033");
  EXPECT_EQ(s->image.sizes(), (std::vector<int64_t>{10, 12, 3}));
  auto l = s->label.accessor<uint8_t, 2>();
  EXPECT_EQ(l[0][0], 255);  // background
  EXPECT_EQ(l[2][0], 0);    // aeroplane (stored 1)
  EXPECT_EQ(l[4][5], 19);   // tvmonitor (stored 20)
  EXPECT_EQ(l[6][11], 255);  // border
}

TEST(VocDataset, AugSplitsReadSegmentationClassAug) {
  const std::string root = FreshRoot("aug");
  AddPair(root, "a", "SegmentationClass");
  AddPair(root, "b", "SegmentationClassAug", /*palette=*/false);  // converted SBD labels are greyscale
  AddPair(root, "c", "SegmentationClassAug", false);
  WriteList(root + "/ImageSets/Segmentation/train.txt", "a\n");
  WriteList(root + "/ImageSets/Segmentation/aug.txt", "b\nc\n");
  auto aug = CreateVocDataset(root, "aug");
  auto train_aug = CreateVocDataset(root, "train_aug");
  ASSERT_TRUE(aug.ok() && train_aug.ok());
  EXPECT_EQ((*aug)->size(), 2);
  EXPECT_EQ((*train_aug)->size(), 3);
  EXPECT_EQ((*train_aug)->files()[2].label_path, root + "/SegmentationClassAug/c.png");
  const absl::StatusOr<Sample> s = (*aug)->Get(0);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->label[4][0].item<uint8_t>(), 19);
}

TEST(VocDataset, ClearErrorsForBrokenLayouts) {
  const std::string root = FreshRoot("broken");
  auto no_list = CreateVocDataset(root, "train");
  ASSERT_FALSE(no_list.ok());
  EXPECT_NE(no_list.status().message().find("ImageSets/Segmentation/train.txt"), std::string::npos);
  EXPECT_NE(no_list.status().message().find("expected layout"), std::string::npos);

  WriteList(root + "/ImageSets/Segmentation/train.txt", "x\ny\n");
  AddPair(root, "x", "SegmentationClass");
  auto missing = CreateVocDataset(root, "train");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("JPEGImages/y.jpg"), std::string::npos) << missing.status();

  EXPECT_FALSE(CreateVocDataset(root + "/nowhere", "train").ok());
  // Another split name is another list over SegmentationClass/ (VOC's trainval, a held-out calibration list).
  const auto no_trainval = CreateVocDataset(root, "trainval");
  ASSERT_FALSE(no_trainval.ok());
  EXPECT_NE(no_trainval.status().message().find("split file not found: " + root +
                                                "/ImageSets/Segmentation/trainval.txt"),
            std::string::npos)
      << no_trainval.status();
  WriteList(root + "/ImageSets/Segmentation/calib.txt", "x\n");
  const auto calib = CreateVocDataset(root, "calib");
  ASSERT_TRUE(calib.ok()) << calib.status();
  EXPECT_EQ((*calib)->size(), 1);
  EXPECT_EQ((*calib)->files()[0].label_path, root + "/SegmentationClass/x.png");
  const auto bad_split = CreateVocDataset(root, "../train");
  ASSERT_FALSE(bad_split.ok());
  EXPECT_NE(bad_split.status().message().find("is no file name"), std::string::npos) << bad_split.status();
}

TEST(VocDataset, RgbLabelsAndForeignValuesAreErrors) {
  const std::string root = FreshRoot("rgb");
  AddPair(root, "x", "SegmentationClass");
  AddPair(root, "y", "SegmentationClass");
  // x: a colour PNG (e.g. re-saved by an image editor); y: a value no VOC class has.
  ASSERT_TRUE(WriteRgbImage(root + "/SegmentationClass/x.png", at::zeros({10, 12, 3}, at::kByte)).ok());
  ASSERT_TRUE(WriteIndexPng(root + "/SegmentationClass/y.png", at::full({10, 12}, 21, at::kByte), nullptr).ok());
  WriteList(root + "/ImageSets/Segmentation/val.txt", "x\ny\n");
  auto ds = CreateVocDataset(root, "val");
  ASSERT_TRUE(ds.ok());
  const absl::StatusOr<Sample> rgb = (*ds)->Get(0);
  ASSERT_FALSE(rgb.ok());
  EXPECT_NE(rgb.status().message().find("expected a palette/index PNG"), std::string::npos) << rgb.status();
  EXPECT_NE(rgb.status().message().find("x.png"), std::string::npos);
  const absl::StatusOr<Sample> foreign = (*ds)->Get(1);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("holds value 21"), std::string::npos) << foreign.status();
}

// The class count comes from the caller (the experiment's class list); missing files can be listed for check-data.
TEST(VocDataset, ClassCountAndMissingFilesFollowTheOptions) {
  const std::string root = FreshRoot("options");
  AddPair(root, "a", "SegmentationClass");
  ASSERT_TRUE(WriteIndexPng(root + "/SegmentationClass/a.png", at::full({10, 12}, 36, at::kByte), nullptr).ok());
  WriteList(root + "/ImageSets/Segmentation/train.txt", "a\nmissing\n");
  EXPECT_EQ(CreateVocDataset(root, "train").status().code(), absl::StatusCode::kNotFound);  // require_files
  FolderReaderOptions options;
  options.require_files = false;
  auto voc20 = CreateVocDataset(root, "train", options);
  ASSERT_TRUE(voc20.ok()) << voc20.status();
  ASSERT_EQ((*voc20)->size(), 2);
  EXPECT_NE((*voc20)->Get(0).status().message().find("holds value 36"), std::string::npos);
  const absl::StatusOr<Sample> missing = (*voc20)->Get(1);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(root + "/JPEGImages/missing.jpg"), std::string::npos) << missing.status();
  options.num_classes = 36;
  auto voc36 = CreateVocDataset(root, "train", options);
  ASSERT_TRUE(voc36.ok());
  const absl::StatusOr<Sample> s = (*voc36)->Get(0);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->label.eq(35).all().item<bool>());
  options.num_classes = 255;  // 0 and 255 are ignore: at most 254 classes fit
  const auto too_many = CreateVocDataset(root, "train", options);
  EXPECT_EQ(too_many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_many.status().message().find("255 classes requested"), std::string::npos) << too_many.status();
}

}  // namespace
}  // namespace zegclip::data
