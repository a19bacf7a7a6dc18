#include "data/pascal_context_dataset.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data/image_io.h"
#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

namespace fs = std::filesystem;

std::string FreshRoot(const std::string& name, const std::string& list_folder) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string root = std::string(tmp ? tmp : "/tmp") + "/context_" + name;
  fs::remove_all(root);
  fs::create_directories(root + "/JPEGImages");
  fs::create_directories(root + "/SegmentationClassContext");
  fs::create_directories(root + "/ImageSets/" + list_folder);
  std::ofstream(root + "/ImageSets/" + list_folder + "/val.txt") << "2008_000002\n";
  EXPECT_TRUE(WriteRgbImage(root + "/JPEGImages/2008_000002.jpg", at::full({5, 7, 3}, 10, at::kByte)).ok());
  at::Tensor label = at::zeros({5, 7}, at::kByte);
  label[1][1] = 1;
  label[2][2] = 59;
  EXPECT_TRUE(WriteIndexPng(root + "/SegmentationClassContext/2008_000002.png", label, nullptr).ok());
  return root;
}

TEST(PascalContextDataset, ReducesZeroLabel) {
  const std::string root = FreshRoot("ok", "SegmentationContext");
  auto ds = CreatePascalContextDataset(root, "val");
  ASSERT_TRUE(ds.ok()) << ds.status();
  const absl::StatusOr<Sample> s = (*ds)->Get(0);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->label[0][0].item<uint8_t>(), 255);
  EXPECT_EQ(s->label[1][1].item<uint8_t>(), 0);   // aeroplane
  EXPECT_EQ(s->label[2][2].item<uint8_t>(), 58);  // wood
}

TEST(PascalContextDataset, AcceptsTheSegmentContextSpellingAndNamesMissingLists) {
  const std::string root = FreshRoot("alt", "SegmentContext");
  EXPECT_TRUE(CreatePascalContextDataset(root, "val").ok());
  const auto train = CreatePascalContextDataset(root, "train");
  ASSERT_FALSE(train.ok());
  EXPECT_NE(train.status().message().find("SegmentationContext/train.txt"), std::string::npos) << train.status();
  fs::remove_all(root + "/SegmentationClassContext");
  const auto no_labels = CreatePascalContextDataset(root, "val");
  ASSERT_FALSE(no_labels.ok());
  EXPECT_NE(no_labels.status().message().find("SegmentationClassContext"), std::string::npos);
}

}  // namespace
}  // namespace zegclip::data
