#include "zegclip/train/checkpoint_tensors.h"

#include <cmath>
#include <fstream>
#include <limits>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "zegclip/train/checkpoint.h"

namespace zegclip::train {
namespace {

using ::testing::HasSubstr;

struct NetImpl : torch::nn::Module {
  NetImpl() : fc(register_module("fc", torch::nn::Linear(2, 2))) {
    register_buffer("count", at::tensor({5.0f}));
  }
  torch::nn::Linear fc;
};
TORCH_MODULE(Net);

std::string Save(const std::string& name, Net& net) {
  const std::string path = ::testing::TempDir() + "/" + name;
  EXPECT_TRUE(SaveCheckpoint(path, *net, nullptr, {3, {}, {}}).ok());
  return path;
}

TEST(CheckpointTensors, ReadsEveryParameterAndBufferByName) {
  Net net;
  at::NoGradGuard no_grad;
  net->fc->weight.copy_(at::tensor({1.0f, -2.0f, 3.0f, 4.0f}).view({2, 2}));
  absl::StatusOr<NamedTensors> t = ReadCheckpointTensors(Save("read.ckpt", net));
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_TRUE(t->at("fc.weight").equal(net->fc->weight));
  EXPECT_TRUE(t->at("fc.bias").equal(net->fc->bias));
  EXPECT_EQ(t->at("count").item<float>(), 5.0f);
}

TEST(CheckpointTensors, RelativeDifferenceIsPerTensorScaled) {
  NamedTensors a = {{"w", at::tensor({1.0f, -4.0f, 2.0f})}, {"b", at::tensor({0.5f})}};
  NamedTensors b = {{"w", at::tensor({1.0f, -4.0f, 2.5f})}, {"b", at::tensor({0.5f})}};
  absl::StatusOr<TensorDifference> d = CompareTensors(a, b);
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d->max_relative, 0.5 / 4.0);  // |2 - 2.5| / max |w|
  EXPECT_DOUBLE_EQ(d->max_absolute, 0.5);
  EXPECT_EQ(d->worst_tensor, "w");
  EXPECT_EQ(d->differing_elements, 1);

  d = CompareTensors(a, a);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->max_relative, 0.0);
  EXPECT_EQ(d->differing_elements, 0);
  EXPECT_EQ(d->worst_tensor, "");

  // All-zero tensors on both sides are equal, not 0/0.
  d = CompareTensors({{"z", at::zeros({3})}}, {{"z", at::zeros({3})}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->max_relative, 0.0);
}

TEST(CheckpointTensors, NanOnOneSideIsADifferenceNanOnBothIsNot) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  absl::StatusOr<TensorDifference> d =
      CompareTensors({{"w", at::tensor({1.0f, nan})}}, {{"w", at::tensor({1.0f, nan})}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->max_relative, 0.0);
  d = CompareTensors({{"a", at::tensor({1.0f, nan})}, {"b", at::tensor({1.0f})}},
                     {{"a", at::tensor({1.0f, 2.0f})}, {"b", at::tensor({3.0f})}});
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(std::isnan(d->max_relative));  // a later, finite difference ("b") does not hide the NaN
  EXPECT_EQ(d->worst_tensor, "a");
  EXPECT_FALSE(d->max_relative <= 1.0);
}

TEST(CheckpointTensors, MismatchesAndBadFilesAreNamed) {
  absl::StatusOr<TensorDifference> d = CompareTensors({{"w", at::zeros({2})}}, {{"w", at::zeros({3})}});
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("tensor 'w' is [2] Float vs [3] Float"));
  d = CompareTensors({{"w", at::zeros({2})}}, {{"w", at::zeros({2})}, {"v", at::zeros({2})}});
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("tensor 'v' is only in the second set"));
  d = CompareTensors({{"w", at::zeros({2})}}, {{"w", at::zeros({2}, at::kDouble)}});
  EXPECT_FALSE(d.ok());

  const std::string missing = ::testing::TempDir() + "/missing.ckpt";
  EXPECT_EQ(ReadCheckpointTensors(missing).status().code(), absl::StatusCode::kNotFound);
  Net net;
  const std::string path = Save("whole.ckpt", net);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string truncated = ::testing::TempDir() + "/half.ckpt";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  absl::StatusOr<NamedTensors> t = ReadCheckpointTensors(truncated);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("half.ckpt: not a readable checkpoint"));
}

}  // namespace
}  // namespace zegclip::train
