// Fuzz target: a training checkpoint from arbitrary input, as `train --resume`, `eval` and `segment` read it:
// VerifyCheckpoint, LoadCheckpoint into a small model with AdamW state, then RestoreRngState of what it held.
// Input byte 0, bit 7 clear: the rest is the file. Set: the rest describes an archive built here field by field
// (format tag, names, tensor shapes and values, optimizer bytes, RNG states, metadata, checksum), which reaches the
// loader's checks behind the zip container's CRCs; v1 files carry no checksum, so their whole load path is reached.
// Invariants: nothing crashes or throws; errors have messages; a loaded model is finite; a file that loads also
// verifies.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <torch/nn/modules/linear.h>
#include <torch/optim/adamw.h>
#include <torch/serialize/output-archive.h>

#include "zegclip/base/byte_tensor.h"
#include "zegclip/testing/fuzz_input.h"
#include "zegclip/train/checkpoint.h"
#include "zegclip/train/rng_state.h"

namespace {

using zegclip::testing::FuzzBytes;

struct Model : torch::nn::Module {
  Model() {
    fc = register_module("fc", torch::nn::Linear(3, 2));
    register_buffer("steps", at::zeros({1}, at::kLong));
  }
  torch::nn::Linear fc{nullptr};
};

c10::List<std::string> Strings(FuzzBytes& in, int64_t max_count, const std::vector<std::string>& usual) {
  c10::List<std::string> out;
  const int64_t n = in.IntInRange(0, max_count);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t pick = in.IntInRange(0, static_cast<int64_t>(usual.size()));
    out.push_back(pick < static_cast<int64_t>(usual.size()) ? usual[pick] : in.Until('\0'));
  }
  return out;
}

at::Tensor SomeTensor(FuzzBytes& in) {
  std::vector<int64_t> dims(in.IntInRange(0, 3));
  for (int64_t& d : dims) d = in.IntInRange(0, 4);
  const at::ScalarType types[] = {at::kFloat, at::kLong, at::kByte, at::kHalf};
  at::Tensor t = at::rand(dims).mul(8).to(types[in.IntInRange(0, 3)]);
  if (in.IntInRange(0, 7) == 0 && t.is_floating_point() && t.numel() > 0) {
    t.view(-1)[0] = std::numeric_limits<float>::infinity();
  }
  return t;
}

// An archive built from the input's choices, serialised to bytes.
std::string BuiltArchive(FuzzBytes& in, const Model& model) {
  const std::vector<std::string> names = {"fc.weight", "fc.bias", "steps"};
  torch::serialize::OutputArchive archive;
  const char* formats[] = {"zegclip-checkpoint-v1", "zegclip-checkpoint-v2", "other"};
  archive.write("format", c10::IValue(std::string(formats[in.IntInRange(0, 2)])));
  if (in.Bool()) archive.write("iter", c10::IValue(in.IntInRange(-2, 1'000'000)));
  c10::List<std::string> saved_names = Strings(in, 4, names);
  archive.write("model/names", c10::IValue(saved_names));
  c10::List<at::Tensor> tensors;
  const int64_t n = in.IntInRange(0, 4);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t pick = in.IntInRange(0, 3);
    tensors.push_back(pick == 0 ? model.fc->weight.detach().clone()
                      : pick == 1 ? model.fc->bias.detach().clone()
                                  : SomeTensor(in));
  }
  archive.write("model/tensors", c10::IValue(tensors));
  if (in.Bool()) archive.write("optimizer_bytes", c10::IValue(zegclip::base::ByteTensorFromString(in.Until('\0'))));
  c10::List<at::Tensor> rng;
  for (int64_t i = in.IntInRange(0, 2); i > 0; --i) rng.push_back(zegclip::base::ByteTensorFromString(in.Until('\0')));
  archive.write("rng", c10::IValue(rng));
  archive.write("metadata/keys", c10::IValue(Strings(in, 3, {"config", "world"})));
  archive.write("metadata/values", c10::IValue(Strings(in, 3, {"x"})));
  if (in.Bool()) archive.write("checksum", c10::IValue(in.Until('\0')));
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

}  // namespace

// `checkpoint_fuzzer -write_seed=FILE` writes a seed input: byte 0 then a real v2 checkpoint of the model with
// AdamW state after one step (how testdata/fuzz/checkpoint/v2_adamw was made).
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = (*argv)[i];
    if (arg.rfind("-write_seed=", 0) != 0) continue;
    Model model;
    torch::optim::AdamW optimizer(model.parameters(), torch::optim::AdamWOptions(1e-3));
    model.fc->forward(at::ones({4, 3})).sum().backward();
    optimizer.step();
    const std::string tmp = arg.substr(12) + ".ckpt";
    zegclip::train::TrainingState state{/*iter=*/1, {zegclip::train::CaptureRngState()}, {{"config", "x"}}};
    FUZZ_CHECK(zegclip::train::SaveCheckpoint(tmp, model, &optimizer, state).ok(), "cannot write the seed");
    std::ifstream file(tmp, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::ofstream(arg.substr(12), std::ios::binary) << '\0' << bytes;
    std::remove(tmp.c_str());
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzBytes in(data, size);
  Model model;
  torch::optim::AdamW optimizer(model.parameters(), torch::optim::AdamWOptions(1e-3));
  const bool built = (in.Byte() & 0x80) != 0;
  const std::string& path = zegclip::testing::InputFile(built ? BuiltArchive(in, model) : in.Rest());

  const absl::Status verified = zegclip::train::VerifyCheckpoint(path);
  FUZZ_CHECK(verified.ok() || !verified.message().empty(), "a verify error without a message");
  zegclip::train::TrainingState state;
  const absl::Status loaded = zegclip::train::LoadCheckpoint(path, model, &optimizer, &state);
  if (!loaded.ok()) {
    FUZZ_CHECK(!loaded.message().empty(), "a load error without a message");
    return 0;
  }
  FUZZ_CHECK(verified.ok(), "a checkpoint that loads but does not verify: " + std::string(verified.message()));
  FUZZ_CHECK(zegclip::train::NonFiniteTensors(model, &optimizer).empty(), "a loaded state that is not finite");
  for (const std::string& rng : state.rng_states) {
    const absl::Status restored = zegclip::train::RestoreRngState(rng);
    FUZZ_CHECK(restored.ok() || !restored.message().empty(), "an RNG error without a message");
  }
  return 0;
}
