// Template sets: OpenAI's 80 ImageNet templates pinned by count, ends and total length (computed from the
// notebook's source), the single templates, @FILE reading and the errors.
#include "zegclip/clip/prompt_templates.h"
#include "zegclip/testing/temp_path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace zegclip::clip {
namespace {

using ::zegclip::testing::TempPath;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PromptTemplates, ImageNetSetIsOpenAisEighty) {
  absl::StatusOr<std::vector<std::string>> t = LoadTemplates("imagenet");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 80u);
  EXPECT_EQ(t->front(), "a bad photo of a {}.");
  EXPECT_EQ((*t)[35], "a {} in a video game.");
  EXPECT_EQ(t->back(), "a tattoo of the {}.");
  // Computed with Python from the notebook's list: 1668 characters in all, 80 distinct, 21 start "a photo".
  size_t chars = 0, photo = 0;
  for (const std::string& s : *t) {
    chars += s.size();
    photo += s.rfind("a photo", 0) == 0;
    EXPECT_TRUE(ValidateTemplate(s).ok()) << s;
  }
  EXPECT_EQ(chars, 1668u);
  EXPECT_EQ(photo, 21u);
  EXPECT_EQ(std::set<std::string>(t->begin(), t->end()).size(), 80u);
}

TEST(PromptTemplates, SingleAndAuthorsSets) {
  EXPECT_THAT(*LoadTemplates("single"), ElementsAre("a photo of a {}."));
  EXPECT_THAT(*LoadTemplates("zegclip_single"), ElementsAre("a photo of a {}"));
  absl::StatusOr<std::vector<std::string>> multi = LoadTemplates("zegclip_multi");
  ASSERT_TRUE(multi.ok());
  ASSERT_EQ(multi->size(), 15u);
  EXPECT_EQ(multi->back(), "This is one {} in the scene.");
  EXPECT_THAT(TemplateSetNames(), ElementsAre("single", "imagenet", "zegclip_single", "zegclip_multi"));
}

TEST(PromptTemplates, FillReplacesThePlaceholder) {
  EXPECT_EQ(FillTemplate("a photo of a {}.", "cat"), "a photo of a cat.");
  EXPECT_EQ(FillTemplate("{} in a video game", "potted plant"), "potted plant in a video game");
  EXPECT_EQ(FillTemplate("the {}", "{}"), "the {}");
}

TEST(PromptTemplates, ReadsTemplateFiles) {
  const std::string path = TempPath("templates.txt");
  std::ofstream(path) << "a photo of a {}.\n\n  a sketch of the {}.  \n";
  absl::StatusOr<std::vector<std::string>> t = LoadTemplates("@" + path);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(*t, ElementsAre("a photo of a {}.", "a sketch of the {}."));
}

TEST(PromptTemplates, Errors) {
  absl::StatusOr<std::vector<std::string>> unknown = LoadTemplates("imagenet80");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("unknown template set 'imagenet80' (known: single, imagenet, zegclip_single, zegclip_multi"));
  EXPECT_THAT(std::string(LoadTemplates("@" + TempPath("none.txt")).status().message()),
              HasSubstr("none.txt does not exist"));
  const std::string bad = TempPath("bad_templates.txt");
  std::ofstream(bad) << "a photo of a {}.\na photo of {} and {}.\n";
  EXPECT_THAT(std::string(LoadTemplates("@" + bad).status().message()),
              HasSubstr("bad_templates.txt line 2: template 'a photo of {} and {}.' must contain '{}'"));
  const std::string empty = TempPath("empty_templates.txt");
  std::ofstream(empty) << "\n\n";
  EXPECT_THAT(std::string(LoadTemplates("@" + empty).status().message()), HasSubstr("has no templates"));
  EXPECT_FALSE(ValidateTemplate("no placeholder").ok());
}

}  // namespace
}  // namespace zegclip::clip
