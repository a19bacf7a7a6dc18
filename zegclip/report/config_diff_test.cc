#include "zegclip/report/config_diff.h"

#include <gtest/gtest.h>

#include "zegclip/config/experiment.pb.h"

namespace zegclip::report {
namespace {

TEST(ConfigDiff, IdenticalMessagesDoNotDiffer) {
  config::Experiment a;
  a.mutable_train()->set_max_iters(5);
  EXPECT_TRUE(DiffMessages(a, a).empty());
}

TEST(ConfigDiff, ExplicitDefaultEqualsUnsetField) {
  config::Experiment a, b;
  b.mutable_train()->set_max_iters(20000);  // the proto default
  b.mutable_model()->mutable_loss()->set_kind(config::NEL);
  EXPECT_TRUE(DiffMessages(a, b).empty());
}

TEST(ConfigDiff, LeafPathsWithBothValuesInDeclarationOrder) {
  config::Experiment a, b;
  a.set_seed(1);
  b.set_seed(2);
  b.mutable_model()->mutable_loss()->set_kind(config::EL);
  a.mutable_train()->set_lr(2e-5);
  b.mutable_train()->set_lr(1e-3);
  a.mutable_data()->set_root("/voc");
  const std::vector<FieldDifference> d = DiffMessages(a, b);
  const std::vector<FieldDifference> expected = {
      {"seed", "1", "2"},
      {"model.loss.kind", "NEL", "EL"},
      {"data.root", "\"/voc\"", "\"\""},
      {"train.lr", "2e-05", "0.001"},
  };
  EXPECT_EQ(d, expected);
}

TEST(ConfigDiff, RepeatedFieldsComparedAsLists) {
  config::Experiment a, b;
  a.mutable_data()->add_unseen_classes("cow");
  a.mutable_data()->add_unseen_classes("sheep");
  b.mutable_data()->add_unseen_classes("cow");
  a.mutable_eval()->add_offset_candidates(0.5);
  b.mutable_eval()->add_offset_candidates(0.5);
  const std::vector<FieldDifference> d = DiffMessages(a, b);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].path, "data.unseen_classes");
  EXPECT_EQ(d[0].a, "[\"cow\", \"sheep\"]");
  EXPECT_EQ(d[0].b, "[\"cow\"]");
}

}  // namespace
}  // namespace zegclip::report
