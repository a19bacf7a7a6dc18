#include "zegclip/eval/confusion_matrix.h"

#include <gtest/gtest.h>

namespace zegclip::eval {
namespace {

TEST(ConfusionMatrix, CountsLabelRowsAgainstPredictionColumns) {
  ConfusionMatrix cm(3);
  cm.Add(at::tensor({0, 0, 1, 1, 2, 2, 0, 0}, at::kLong), at::tensor({0, 0, 0, 1, 1, 2, 255, 2}, at::kLong));
  at::Tensor expected = at::tensor({2, 1, 0,  //
                                    0, 1, 1,  //
                                    1, 0, 1},
                                   at::kLong)
                            .view({3, 3});
  EXPECT_TRUE(at::equal(cm.counts(), expected)) << cm.counts();
  EXPECT_EQ(cm.counts().scalar_type(), at::kLong);
}

TEST(ConfusionMatrix, MatchesPerPixelLoopOnRandomBatch) {
  at::manual_seed(50);
  const int64_t c = 5;
  at::Tensor label = at::randint(0, c, {2, 6, 7}, at::kLong);
  label.masked_fill_(at::rand({2, 6, 7}) < 0.2, 255);
  at::Tensor pred = at::randint(0, c, {2, 6, 7}, at::kLong);
  ConfusionMatrix cm(c);
  cm.Add(pred, label);
  std::vector<int64_t> naive(c * c, 0);
  auto l = label.accessor<int64_t, 3>();
  auto p = pred.accessor<int64_t, 3>();
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 6; ++i) {
      for (int64_t j = 0; j < 7; ++j) {
        if (l[b][i][j] != 255) ++naive[l[b][i][j] * c + p[b][i][j]];
      }
    }
  }
  at::Tensor counts = cm.counts();
  for (int64_t k = 0; k < c * c; ++k) EXPECT_EQ(counts.view(-1)[k].item<int64_t>(), naive[k]) << k;
  // Image by image gives the same matrix.
  ConfusionMatrix split(c);
  split.Add(pred[0], label[0]);
  split.Add(pred[1], label[1]);
  EXPECT_TRUE(at::equal(split.counts(), counts));
}

TEST(ConfusionMatrix, MergeAndFromCountsRoundTrip) {
  ConfusionMatrix a(2), b(2);
  a.Add(at::tensor({0, 1}, at::kLong), at::tensor({0, 0}, at::kLong));
  b.Add(at::tensor({1, 1}, at::kLong), at::tensor({1, 0}, at::kLong));
  a.Merge(b);
  EXPECT_TRUE(at::equal(a.counts(), at::tensor({1, 2, 0, 1}, at::kLong).view({2, 2})));
  // As after an allreduce (sum) of two ranks holding the same counts.
  ConfusionMatrix summed = ConfusionMatrix::FromCounts(a.counts() * 2);
  EXPECT_TRUE(at::equal(summed.counts(), at::tensor({2, 4, 0, 2}, at::kLong).view({2, 2})));
  at::Tensor copy = summed.counts();
  copy.zero_();
  EXPECT_EQ(summed.counts().sum().item<int64_t>(), 8);  // counts() is a copy
  summed.Reset();
  EXPECT_EQ(summed.counts().sum().item<int64_t>(), 0);
  EXPECT_THROW(a.Merge(ConfusionMatrix(3)), c10::Error);
  EXPECT_THROW(ConfusionMatrix::FromCounts(at::ones({2, 3}, at::kLong)), c10::Error);
}

TEST(ConfusionMatrix, IgnoredPixelsMayHoldAnyPrediction) {
  ConfusionMatrix cm(2);
  cm.Add(at::tensor({99, 1}, at::kLong), at::tensor({255, 1}, at::kLong));
  EXPECT_EQ(cm.counts()[1][1].item<int64_t>(), 1);
  EXPECT_EQ(cm.counts().sum().item<int64_t>(), 1);
  cm.Add(at::tensor({0, 0}, at::kLong), at::tensor({255, 255}, at::kLong));  // nothing labelled: no-op
  EXPECT_EQ(cm.counts().sum().item<int64_t>(), 1);
}

TEST(ConfusionMatrix, RejectsOutOfRangeValuesAndMismatchedInputs) {
  ConfusionMatrix cm(3);
  EXPECT_THROW(cm.Add(at::tensor({0}, at::kLong), at::tensor({3}, at::kLong)), c10::Error);
  EXPECT_THROW(cm.Add(at::tensor({3}, at::kLong), at::tensor({0}, at::kLong)), c10::Error);
  EXPECT_THROW(cm.Add(at::tensor({0, 1}, at::kLong), at::tensor({0}, at::kLong)), c10::Error);
  EXPECT_THROW(cm.Add(at::tensor({0}, at::kInt), at::tensor({0}, at::kLong)), c10::Error);
  EXPECT_THROW(ConfusionMatrix(0), c10::Error);
}

}  // namespace
}  // namespace zegclip::eval
