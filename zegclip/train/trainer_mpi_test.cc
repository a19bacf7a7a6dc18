// Data-parallel training under `mpirun -np 2` (trainer_mpi_test): every rank trains on its shard of one global batch
// from its own random initial weights. Because the trainer broadcasts rank 0's weights and averages gradients, the
// ranks must end bit-identical, and equal (to float rounding) to one process training on the whole batch.
#include <filesystem>
#include <fstream>

#include <torch/nn/modules/linear.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "zegclip/distributed/mpi_communicator.h"
#include "zegclip/distributed/single_communicator.h"
#include "zegclip/train/trainer.h"

namespace zegclip::train {
namespace {

constexpr int64_t kGlobalBatch = 64;

struct Result {
  at::Tensor weight, bias;
};

// Trains Linear(3, 1) with MSE on rows [begin, end) of the global batch, from weights seeded with `init_seed`.
Result Train(distributed::Communicator& comm, int64_t begin, int64_t end, uint64_t init_seed, const std::string& work_dir) {
  at::manual_seed(0);
  const at::Tensor x = at::randn({kGlobalBatch, 3});
  const at::Tensor y = x.matmul(at::tensor({1.5f, -1.0f, 2.0f}).view({3, 1})) - 0.5;
  at::manual_seed(init_seed);
  torch::nn::Linear model(3, 1);
  ParamGroups groups = ParamGroups::Build(NamedParameters(*model), ParamGroupOptions{0.05, 0.01, {}});
  auto adamw = groups.MakeAdamW();
  LrSchedule schedule({LrPolicy::kPoly, 20, 0.9, 1e-4, 5, 0.1});
  TrainerOptions options;
  options.work_dir = work_dir;
  options.max_iters = 20;
  options.log_interval = 10;
  options.resume = false;
  options.print = false;
  options.grad_clip_norm = 5.0;
  options.buckets = {4, 8};  // tiny buckets: weight and bias travel separately
  Trainer trainer(options, *model, *adamw, groups, schedule, comm);
  const at::Tensor xs = x.slice(0, begin, end), ys = y.slice(0, begin, end);
  const absl::Status s = trainer.Run([&]() -> absl::StatusOr<StepOutput> {
    return StepOutput{(model->forward(xs) - ys).pow(2).mean(), {{"rows", static_cast<double>(end - begin)}}};
  });
  EXPECT_TRUE(s.ok()) << s;
  return {model->weight.detach().clone(), model->bias.detach().clone()};
}

std::string Bytes(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return std::string(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
}

TEST(TrainerMpi, RanksStayIdenticalAndMatchOneProcessOnTheWholeBatch) {
  distributed::MpiCommunicator comm(/*timeout_seconds=*/60);
  const int n = comm.size();
  ASSERT_EQ(kGlobalBatch % n, 0);
  const int64_t shard = kGlobalBatch / n;
  const std::string dir = ::testing::TempDir() + "/trainer_mpi";
  const Result dp = Train(comm, comm.rank() * shard, (comm.rank() + 1) * shard, 100 + comm.rank(), dir);

  const std::vector<std::string> weights = comm.AllGather(Bytes(dp.weight) + Bytes(dp.bias));
  for (int r = 1; r < n; ++r) EXPECT_EQ(weights[r], weights[0]) << "rank " << r << " differs from rank 0";

  distributed::SingleCommunicator single;
  const Result whole = Train(single, 0, kGlobalBatch, /*init_seed=*/100,
                             ::testing::TempDir() + "/trainer_single_" + std::to_string(comm.rank()));
  EXPECT_TRUE(at::allclose(dp.weight, whole.weight, 1e-5, 1e-6)) << dp.weight << whole.weight;
  EXPECT_TRUE(at::allclose(dp.bias, whole.bias, 1e-5, 1e-6)) << dp.bias << whole.bias;
  // Training moved the weights far from rank 0's random start (the comparison above is not trivially true).
  at::manual_seed(100);
  torch::nn::Linear init(3, 1);
  EXPECT_GT((dp.weight - init->weight).abs().max().item<double>(), 0.1);

  comm.Barrier();
  if (comm.rank() == 0) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/iter_20.ckpt"));
    std::ifstream in(dir + "/metrics.jsonl");
    std::string line;
    std::getline(in, line);
    EXPECT_THAT(line, ::testing::HasSubstr("\"rows\": " + std::to_string(shard)));
    EXPECT_THAT(line, ::testing::HasSubstr("\"world_size\": " + std::to_string(n)));
  }
}

}  // namespace
}  // namespace zegclip::train
