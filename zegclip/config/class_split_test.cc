#include "zegclip/config/class_split.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace zegclip::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ClassSplit, VocUnseenAreTheLastFive) {
  DataConfig data;
  for (const char* c : {"tvmonitor", "pottedplant", "sheep", "sofa", "train"}) data.add_unseen_classes(c);
  absl::StatusOr<ClassSplit> split = ResolveClassSplit(data);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_THAT(split->unseen, ElementsAre(15, 16, 17, 18, 19));
  EXPECT_EQ(split->seen.size(), 15u);
  EXPECT_EQ(split->names[15], "pottedplant");
}

TEST(ClassSplit, ExplicitSeenMustCoverEveryClass) {
  DataConfig data;
  data.set_dataset(SYNTHETIC);
  data.add_classes("a");
  data.add_classes("b");
  data.add_classes("c");
  data.add_unseen_classes("c");
  data.add_seen_classes("a");
  EXPECT_THAT(std::string(ResolveClassSplit(data).status().message()), HasSubstr("missing: b"));
  data.add_seen_classes("c");
  EXPECT_THAT(std::string(ResolveClassSplit(data).status().message()),
              HasSubstr("'c' is also in data.unseen_classes"));
}

TEST(ClassSplit, DuplicatesAreErrors) {
  DataConfig data;
  data.add_unseen_classes("cow");
  data.add_unseen_classes("cow");
  EXPECT_THAT(std::string(ResolveClassSplit(data).status().message()), HasSubstr("'cow' is listed twice"));
}

}  // namespace
}  // namespace zegclip::config
