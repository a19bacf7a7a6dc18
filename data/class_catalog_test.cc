#include "data/class_catalog.h"

#include <algorithm>
#include <set>
#include <utility>

#include <gtest/gtest.h>

namespace zegclip::data {
namespace {

TEST(ClassCatalog, SizesMatchTheDatasets) {
  EXPECT_EQ(FindDatasetClasses("voc2012")->names.size(), 20u);
  EXPECT_EQ(FindDatasetClasses("coco_stuff")->names.size(), 171u);
  EXPECT_EQ(FindDatasetClasses("pascal_context59")->names.size(), 59u);
  EXPECT_EQ(FindDatasetClasses("synthetic")->names.size(), 36u);
  EXPECT_EQ(FindDatasetClasses("imagenet"), nullptr);
}

TEST(ClassCatalog, CocoUnseenIdsAreTheRecipes) {
  const DatasetClasses* coco = FindDatasetClasses("coco_stuff");
  std::vector<int> ids;
  for (const std::string& name : coco->unseen) {
    ids.push_back(std::find(coco->names.begin(), coco->names.end(), name) - coco->names.begin());
  }
  EXPECT_EQ(ids, (std::vector<int>{19, 23, 28, 29, 36, 51, 76, 88, 94, 112, 133, 136, 137, 157, 160}));
}

TEST(ClassCatalog, EveryUnseenClassIsKnownAndNamesAreUnique) {
  for (const std::string& key : KnownDatasets()) {
    const DatasetClasses* classes = FindDatasetClasses(key);
    std::set<std::string> names(classes->names.begin(), classes->names.end());
    EXPECT_EQ(names.size(), classes->names.size()) << key;
    for (const std::string& unseen : classes->unseen) EXPECT_TRUE(names.count(unseen)) << key << ": " << unseen;
  }
}

TEST(ClassCatalog, CompositionIdsKeepTheBaseClassesFirst) {
  EXPECT_EQ(SyntheticColours().size(), 6u);
  EXPECT_EQ(SyntheticPatterns().size(), 6u);
  EXPECT_EQ(SyntheticAllColours().size(), 8u);
  EXPECT_EQ(SyntheticAllPatterns().size(), 8u);
  ASSERT_EQ(SyntheticCompositionCount(), 64);
  const DatasetClasses* world = FindDatasetClasses("synthetic");
  for (int64_t id = 0; id < 36; ++id) {
    EXPECT_EQ(SyntheticCompositionName(id), world->names[id]);
    EXPECT_EQ(SyntheticCompositionColour(id), id / 6);
    EXPECT_EQ(SyntheticCompositionPattern(id), id % 6);
  }
  EXPECT_EQ(SyntheticCompositionName(36), "red gridded");
  EXPECT_EQ(SyntheticCompositionName(37), "red zigzag");
  EXPECT_EQ(SyntheticCompositionName(47), "orange zigzag");
  EXPECT_EQ(SyntheticCompositionName(48), "cyan plain");
  EXPECT_EQ(SyntheticCompositionName(63), "pink zigzag");
  std::set<std::pair<int64_t, int64_t>> pairs;
  for (int64_t id = 0; id < 64; ++id) {
    EXPECT_EQ(FindSyntheticComposition(SyntheticCompositionName(id)), id);
    const int64_t colour = SyntheticCompositionColour(id), pattern = SyntheticCompositionPattern(id);
    EXPECT_EQ(id >= 36, colour >= 6 || pattern >= 6) << id;
    pairs.insert({colour, pattern});
  }
  EXPECT_EQ(pairs.size(), 64u);
  EXPECT_EQ(FindSyntheticComposition("teal plain"), -1);
  EXPECT_EQ(FindSyntheticComposition("red"), -1);
}

TEST(ClassCatalog, SyntheticSplitKeepsEveryAttributeInFourSeenClasses) {
  const DatasetClasses* world = FindDatasetClasses("synthetic");
  std::set<std::string> unseen(world->unseen.begin(), world->unseen.end());
  ASSERT_EQ(unseen.size(), 8u);
  for (const std::string& colour : SyntheticColours()) {
    int seen = 0;
    for (const std::string& pattern : SyntheticPatterns()) seen += !unseen.count(colour + " " + pattern);
    EXPECT_GE(seen, 4) << colour;
  }
  for (const std::string& pattern : SyntheticPatterns()) {
    int seen = 0;
    for (const std::string& colour : SyntheticColours()) seen += !unseen.count(colour + " " + pattern);
    EXPECT_GE(seen, 4) << pattern;
  }
}

}  // namespace
}  // namespace zegclip::data
