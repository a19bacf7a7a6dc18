#include "zegclip/engine/experiment_options.h"

#include <vector>

#include "gtest/gtest.h"
#include "zegclip/config/config_overrides.h"
#include "zegclip/config/fill_defaults.h"

namespace zegclip::engine {
namespace {

config::Experiment ExperimentWith(const std::vector<std::string>& assignments) {
  config::Experiment e;
  for (const std::string& a : assignments) EXPECT_TRUE(config::ApplyOverride(a, &e).ok()) << a;
  config::FillDefaults(&e);
  return e;
}

TEST(WorldOptionsFrom, CarriesTheWorldItsClassesAndDistractors) {
  const config::Experiment e = ExperimentWith(
      {"data.dataset=SYNTHETIC", "seed=3", "data.classes=red plain,cyan gridded", "data.synthetic.image_size=32",
       "data.synthetic.distractors=pink dotted,red zigzag", "data.synthetic.min_distractors=0",
       "data.synthetic.max_distractors=4"});
  const data::SyntheticWorldOptions o = WorldOptionsFrom(e);
  EXPECT_EQ(o.seed, 3u);
  EXPECT_EQ(o.image_size, 32);
  EXPECT_EQ(o.compositions, (std::vector<int64_t>{0, 54}));
  EXPECT_EQ(o.distractors, (std::vector<int64_t>{60, 37}));
  EXPECT_EQ(o.min_distractors, 0);
  EXPECT_EQ(o.max_distractors, 4);
  // The defaults: no distractors; 1-2 an image once some are listed.
  const data::SyntheticWorldOptions plain = WorldOptionsFrom(ExperimentWith({"data.dataset=SYNTHETIC"}));
  EXPECT_TRUE(plain.distractors.empty());
  EXPECT_TRUE(plain.compositions.empty());
  EXPECT_EQ(plain.min_distractors, 1);
  EXPECT_EQ(plain.max_distractors, 2);
  // Another dataset's experiment leaves them unread (and unvalidated) rather than turning names into ids.
  const data::SyntheticWorldOptions voc =
      WorldOptionsFrom(ExperimentWith({"data.dataset=VOC2012", "data.synthetic.distractors=sky,road"}));
  EXPECT_TRUE(voc.distractors.empty());
  EXPECT_TRUE(voc.compositions.empty());
}

}  // namespace
}  // namespace zegclip::engine
