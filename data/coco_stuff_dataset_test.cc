#include "data/coco_stuff_dataset.h"

#include <cstdlib>
#include <filesystem>

#include "data/image_io.h"
#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

namespace fs = std::filesystem;

std::string FreshRoot(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string root = std::string(tmp ? tmp : "/tmp") + "/coco_" + name;
  fs::remove_all(root);
  fs::create_directories(root + "/images/val2017");
  fs::create_directories(root + "/annotations/val2017");
  return root;
}

void AddPair(const std::string& root, const std::string& id, uint8_t value) {
  ASSERT_TRUE(WriteRgbImage(root + "/images/val2017/" + id + ".jpg", at::full({8, 6, 3}, 50, at::kByte)).ok());
  at::Tensor label = at::full({8, 6}, value, at::kByte);
  label[0][0] = 255;
  ASSERT_TRUE(WriteIndexPng(root + "/annotations/val2017/" + id + "_labelTrainIds.png", label, nullptr).ok());
}

TEST(CocoStuffDataset, ListsTheImageFolderSortedAndKeepsTrainIds) {
  const std::string root = FreshRoot("ok");
  AddPair(root, "000000000285", 170);
  AddPair(root, "000000000139", 0);
  auto ds = CreateCocoStuffDataset(root, "val");
  ASSERT_TRUE(ds.ok()) << ds.status();
  ASSERT_EQ((*ds)->size(), 2);
  const absl::StatusOr<Sample> first = (*ds)->Get(0), second = (*ds)->Get(1);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->id, "000000000139");
  EXPECT_EQ(first->label[1][1].item<uint8_t>(), 0);
  EXPECT_EQ(second->label[1][1].item<uint8_t>(), 170);  // wall-wood... the last of 171 classes
  EXPECT_EQ(second->label[0][0].item<uint8_t>(), 255);
}

TEST(CocoStuffDataset, ErrorsNameTheMissingPieces) {
  const std::string root = FreshRoot("broken");
  const auto empty = CreateCocoStuffDataset(root, "val");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no .jpg images"), std::string::npos);
  const auto no_train = CreateCocoStuffDataset(root, "train");
  ASSERT_FALSE(no_train.ok());
  EXPECT_NE(no_train.status().message().find("images/train2017"), std::string::npos);
  ASSERT_TRUE(WriteRgbImage(root + "/images/val2017/a.jpg", at::zeros({4, 4, 3}, at::kByte)).ok());
  const auto no_label = CreateCocoStuffDataset(root, "val");
  ASSERT_FALSE(no_label.ok());
  EXPECT_NE(no_label.status().message().find("a_labelTrainIds.png"), std::string::npos) << no_label.status();
  AddPair(root, "b", 171);
  fs::remove(root + "/images/val2017/a.jpg");
  auto ds = CreateCocoStuffDataset(root, "val");
  ASSERT_TRUE(ds.ok());
  const absl::StatusOr<Sample> s = (*ds)->Get(0);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("holds value 171"), std::string::npos) << s.status();
  EXPECT_FALSE(CreateCocoStuffDataset(root, "test").ok());
}

}  // namespace
}  // namespace zegclip::data
