#include "zegclip/train/checkpoint.h"

#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>

#include <ATen/ATen.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "zegclip/base/atomic_file.h"
#include "zegclip/train/rng_state.h"
#include "zegclip/testing/temp_path.h"
#include <torch/autograd.h>
#include <torch/optim/adamw.h>
#include <torch/serialize/output-archive.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace zegclip::train {
namespace {

using ::zegclip::testing::TempPath;

using ::testing::HasSubstr;

// Parameters, buffers (batch-norm statistics) and randomness (dropout) in one tiny model.
struct NetImpl : torch::nn::Module {
  NetImpl()
      : fc1(register_module("fc1", torch::nn::Linear(4, 8))),
        bn(register_module("bn", torch::nn::BatchNorm1d(8))),
        drop(register_module("drop", torch::nn::Dropout(0.25))),
        fc2(register_module("fc2", torch::nn::Linear(8, 1))) {}
  at::Tensor forward(const at::Tensor& x) { return fc2(drop(torch::nn::functional::relu(bn(fc1(x))))); }
  torch::nn::Linear fc1;
  torch::nn::BatchNorm1d bn;
  torch::nn::Dropout drop;
  torch::nn::Linear fc2;
};
TORCH_MODULE(Net);

struct TinyRun {
  Net net;
  std::unique_ptr<torch::optim::AdamW> adamw;
  explicit TinyRun(uint64_t seed) {
    at::manual_seed(seed);
    net = Net();
    adamw = std::make_unique<torch::optim::AdamW>(net->parameters(), torch::optim::AdamWOptions(1e-2));
  }
  // Each step draws its batch from the global RNG, like a data pipeline seeded from it.
  void Steps(int n) {
    for (int i = 0; i < n; ++i) {
      const at::Tensor x = at::randn({16, 4});
      const at::Tensor y = x.sum(1, true) * 0.5 + 1.0;
      adamw->zero_grad();
      const at::Tensor loss = (net->forward(x) - y).pow(2).mean();
      loss.backward();
      adamw->step();
    }
  }
};

void ExpectSameModel(Net& a, Net& b, bool same) {
  const auto ta = a->named_parameters(), tb = b->named_parameters();
  bool all_equal = true;
  for (const auto& item : ta) all_equal &= at::equal(item.value(), tb[item.key()]);
  for (const auto& item : a->named_buffers()) all_equal &= at::equal(item.value(), *b->named_buffers().find(item.key()));
  EXPECT_EQ(all_equal, same);
}

TEST(Checkpoint, ResumeReproducesTheUninterruptedRunBitForBit) {
  TinyRun straight(7);
  straight.Steps(10);

  const std::string path = TempPath("resume.ckpt");
  {
    TinyRun first(7);
    first.Steps(5);
    ASSERT_TRUE(SaveCheckpoint(path, *first.net, first.adamw.get(), {5, {CaptureRngState()}, {{"k", "v"}}}).ok());
  }
  TinyRun resumed(12345);  // different initial weights and RNG: everything must come from the file
  TrainingState state;
  const absl::Status s = LoadCheckpoint(path, *resumed.net, resumed.adamw.get(), &state);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(state.iter, 5);
  EXPECT_EQ(state.metadata.at("k"), "v");
  ASSERT_EQ(state.rng_states.size(), 1u);
  ASSERT_TRUE(RestoreRngState(state.rng_states[0]).ok());
  resumed.Steps(5);
  ExpectSameModel(straight.net, resumed.net, /*same=*/true);
}

TEST(Checkpoint, ResumeWithoutOptimizerStateDiverges) {
  // The exactness test above can fail: dropping AdamW's moments changes the result.
  TinyRun straight(7);
  straight.Steps(10);
  const std::string path = TempPath("no_opt.ckpt");
  TinyRun first(7);
  first.Steps(5);
  ASSERT_TRUE(SaveCheckpoint(path, *first.net, nullptr, {5, {CaptureRngState()}, {}}).ok());
  TinyRun resumed(12345);
  TrainingState state;
  ASSERT_TRUE(LoadCheckpoint(path, *resumed.net, nullptr, &state).ok());
  ASSERT_TRUE(RestoreRngState(state.rng_states[0]).ok());
  resumed.Steps(5);
  ExpectSameModel(straight.net, resumed.net, /*same=*/false);
}

TEST(Checkpoint, WritesAtomicallyAndOverwrites) {
  const std::string path = TempPath("atomic.ckpt");
  TinyRun run(1);
  ASSERT_TRUE(SaveCheckpoint(path, *run.net, run.adamw.get(), {1, {}, {}}).ok());
  ASSERT_TRUE(SaveCheckpoint(path, *run.net, run.adamw.get(), {2, {}, {{"config", "a: 1\nb: 2\n"}}}).ok());
  EXPECT_FALSE(std::ifstream(path + ".tmp." + std::to_string(getpid())).good());
  TrainingState state;
  ASSERT_TRUE(LoadCheckpoint(path, *run.net, run.adamw.get(), &state).ok());
  EXPECT_EQ(state.iter, 2);
  EXPECT_EQ(state.metadata.at("config"), "a: 1\nb: 2\n");
}

TEST(Checkpoint, MissingFileIsNamed) {
  TinyRun run(1);
  TrainingState state;
  const absl::Status s = LoadCheckpoint(TempPath("nope.ckpt"), *run.net, nullptr, &state);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("nope.ckpt: cannot open the checkpoint"));
}

TEST(Checkpoint, CorruptAndTruncatedFilesAreNamed) {
  TinyRun run(1);
  TrainingState state;
  const std::string garbage = TempPath("garbage.ckpt");
  ASSERT_TRUE(base::WriteFileAtomically(garbage, "this is not a zip archive").ok());
  absl::Status s = LoadCheckpoint(garbage, *run.net, run.adamw.get(), &state);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("garbage.ckpt: not a readable checkpoint"));

  const std::string good = TempPath("good.ckpt");
  ASSERT_TRUE(SaveCheckpoint(good, *run.net, run.adamw.get(), {3, {}, {}}).ok());
  std::ifstream in(good, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  const std::string truncated = TempPath("truncated.ckpt");
  ASSERT_TRUE(base::WriteFileAtomically(truncated, bytes.substr(0, bytes.size() / 2)).ok());
  s = LoadCheckpoint(truncated, *run.net, run.adamw.get(), &state);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("truncated.ckpt: "));
}

TEST(Checkpoint, ShapeMismatchNamesTheTensor) {
  TinyRun run(1);
  const std::string path = TempPath("shape.ckpt");
  ASSERT_TRUE(SaveCheckpoint(path, *run.net, nullptr, {0, {}, {}}).ok());
  torch::nn::Linear other(3, 8);  // fc1-like layer with 3 inputs
  struct Wrapper : torch::nn::Module {
    explicit Wrapper(torch::nn::Linear l) { register_module("fc1", l); }
  } wrapper(other);
  TrainingState state;
  const absl::Status s = LoadCheckpoint(path, wrapper, nullptr, &state);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("shape.ckpt: tensor 'fc1.weight' has shape [8, 4] in the checkpoint, the model expects [8, 3]"));
}

TEST(Checkpoint, ForeignArchiveIsRejected) {
  torch::serialize::OutputArchive archive;
  archive.write("weights", at::ones({2}));
  const std::string path = TempPath("foreign.ckpt");
  archive.save_to(path);
  TinyRun run(1);
  TrainingState state;
  const absl::Status s = LoadCheckpoint(path, *run.net, nullptr, &state);
  EXPECT_THAT(std::string(s.message()), HasSubstr("foreign.ckpt: not a zegclip training checkpoint"));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Flips `count` bytes of the file inside the stored bytes of `tensor` (archives store tensors uncompressed).
void FlipBytesOf(const std::string& path, const at::Tensor& tensor, size_t count) {
  const at::Tensor t = tensor.detach().contiguous();
  const std::string needle(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  std::string bytes = ReadAll(path);
  const size_t at = bytes.find(needle);
  ASSERT_NE(at, std::string::npos) << "tensor bytes not found in " << path;
  for (size_t i = 0; i < count && i < needle.size(); ++i) bytes[at + i] = static_cast<char>(bytes[at + i] ^ 0x5A);
  WriteAll(path, bytes);
}

TEST(CheckpointIntegrity, FlippedBytesInWeightsOrOptimizerStateAreOneClearError) {
  TinyRun run(2);
  run.Steps(3);
  const std::string weights = TempPath("flip_weights.ckpt"), moments = TempPath("flip_moments.ckpt");
  ASSERT_TRUE(SaveCheckpoint(weights, *run.net, run.adamw.get(), TrainingState{3, {}, {}}).ok());
  ASSERT_TRUE(SaveCheckpoint(moments, *run.net, run.adamw.get(), TrainingState{3, {}, {}}).ok());
  FlipBytesOf(weights, run.net->fc1->weight, 64);
  const auto& state = static_cast<const torch::optim::AdamWParamState&>(
      *run.adamw->state().at(c10::guts::to_string(run.net->fc1->weight.unsafeGetTensorImpl())));
  FlipBytesOf(moments, state.exp_avg_sq(), 1);
  for (const std::string& path : {weights, moments}) {
    TinyRun fresh(9);
    const at::Tensor before = fresh.net->fc1->weight.clone();
    TrainingState loaded;
    const absl::Status s = LoadCheckpoint(path, *fresh.net, fresh.adamw.get(), &loaded);
    EXPECT_TRUE(absl::IsDataLoss(s)) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(path + ": checksum mismatch"));
    EXPECT_TRUE(at::equal(fresh.net->fc1->weight, before)) << "a corrupt file must not be half-loaded";
    EXPECT_TRUE(absl::IsDataLoss(VerifyCheckpoint(path)));
  }
}

TEST(CheckpointIntegrity, NonFiniteStateIsNeverWritten) {
  TinyRun run(3);
  run.Steps(2);
  const std::string path = TempPath("nan.ckpt");
  {
    torch::NoGradGuard no_grad;
    run.net->fc2->bias[0] = std::numeric_limits<float>::quiet_NaN();
  }
  absl::Status s = SaveCheckpoint(path, *run.net, run.adamw.get(), TrainingState{2, {}, {}});
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("nan.ckpt: not written: NaN or inf in 1 tensor(s) (fc2.bias)"));
  EXPECT_EQ(::access(path.c_str(), F_OK), -1) << "nothing may be written";

  TinyRun other(4);
  other.Steps(2);
  auto& moments = static_cast<torch::optim::AdamWParamState&>(
      *other.adamw->state().at(c10::guts::to_string(other.net->fc1->bias.unsafeGetTensorImpl())));
  moments.exp_avg()[0] = std::numeric_limits<float>::infinity();
  s = SaveCheckpoint(path, *other.net, other.adamw.get(), TrainingState{2, {}, {}});
  EXPECT_THAT(std::string(s.message()), HasSubstr("optimizer state of parameter 1 (exp_avg)"));
  EXPECT_TRUE(SaveCheckpoint(path, *other.net, nullptr, TrainingState{2, {}, {}}).ok()) << "weights alone are finite";
  EXPECT_EQ(NonFiniteTensors(*other.net, other.adamw.get()).size(), 1u);
}

// A file in the first format (no checksum, the optimizer nested): still loads; NaN weights in it are refused.
std::string WriteV1(const std::string& name, Net& net, bool poison) {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string("zegclip-checkpoint-v1")));
  archive.write("iter", c10::IValue(int64_t{5}));
  c10::List<std::string> names;
  c10::List<at::Tensor> tensors;
  for (const auto& item : net->named_parameters()) {
    names.push_back(item.key());
    tensors.push_back(item.value().detach().clone());
  }
  for (const auto& item : net->named_buffers()) {
    names.push_back(item.key());
    tensors.push_back(item.value().detach().clone());
  }
  if (poison) tensors.get(0)[0][0] = std::numeric_limits<float>::quiet_NaN();
  archive.write("model/names", c10::IValue(names));
  archive.write("model/tensors", c10::IValue(tensors));
  archive.write("rng", c10::IValue(c10::List<at::Tensor>()));
  archive.write("metadata/keys", c10::IValue(c10::List<std::string>({"k"})));
  archive.write("metadata/values", c10::IValue(c10::List<std::string>({"v"})));
  const std::string path = TempPath(name);
  archive.save_to(path);
  return path;
}

TEST(CheckpointIntegrity, FirstFormatStillLoadsAndNonFiniteWeightsAreRefused) {
  TinyRun source(5);
  const std::string good = WriteV1("v1.ckpt", source.net, /*poison=*/false);
  TinyRun target(6);
  TrainingState state;
  ASSERT_TRUE(LoadCheckpoint(good, *target.net, nullptr, &state).ok());
  EXPECT_EQ(state.iter, 5);
  EXPECT_EQ(state.metadata.at("k"), "v");
  ExpectSameModel(source.net, target.net, true);
  EXPECT_TRUE(VerifyCheckpoint(good).ok());

  const std::string bad = WriteV1("v1_nan.ckpt", source.net, /*poison=*/true);
  TinyRun fresh(7);
  const absl::Status s = LoadCheckpoint(bad, *fresh.net, nullptr, &state);
  EXPECT_THAT(std::string(s.message()), HasSubstr("v1_nan.ckpt: tensor 'fc1.weight' holds NaN or inf"));
  EXPECT_FALSE(VerifyCheckpoint(bad).ok());
}

TEST(CheckpointIntegrity, VerifyNamesWhatIsWrong) {
  TinyRun run(8);
  const std::string good = TempPath("verify_good.ckpt");
  ASSERT_TRUE(SaveCheckpoint(good, *run.net, run.adamw.get(), TrainingState{1, {"r"}, {{"a", "b"}}}).ok());
  EXPECT_TRUE(VerifyCheckpoint(good).ok());
  EXPECT_TRUE(absl::IsNotFound(VerifyCheckpoint(TempPath("verify_none.ckpt"))));
  const std::string garbage = TempPath("verify_garbage.ckpt");
  WriteAll(garbage, "not a checkpoint");
  EXPECT_THAT(std::string(VerifyCheckpoint(garbage).message()), HasSubstr("verify_garbage.ckpt: not a readable"));
  EXPECT_THAT(std::string(VerifyCheckpoint(::testing::TempDir()).message()), HasSubstr("not a regular file"));
  // The metadata is covered too: an edited config string of the same length is caught.
  const std::string edited = TempPath("verify_edited.ckpt");
  ASSERT_TRUE(SaveCheckpoint(edited, *run.net, nullptr, TrainingState{1, {}, {{"config", "lr: 0.001"}}}).ok());
  std::string bytes = ReadAll(edited);
  const size_t at = bytes.find("lr: 0.001");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 8] = '2';
  WriteAll(edited, bytes);
  EXPECT_THAT(std::string(VerifyCheckpoint(edited).message()), HasSubstr("checksum mismatch"));
  const std::string truncated = TempPath("verify_truncated.ckpt");
  WriteAll(truncated, ReadAll(good).substr(0, ReadAll(good).size() / 2));
  EXPECT_FALSE(VerifyCheckpoint(truncated).ok());
}

}  // namespace
}  // namespace zegclip::train
