// Fuzz target: the authors'-checkpoint importer (SegmentorOptionsFromAuthors + LoadAuthorsWeights) on state dicts
// that differ from a real one (testdata/authors_tiny.tensors: their key names at a toy size) by edits the input
// describes. Fuzzing the zip container itself would stop at its CRC checks; this reaches the importer's logic.
// Input: a list of edits, each [op][key index][argument bytes...]:
//   0 delete the key; 1 reshape it (rank, then dims 0..9); 2 rewrite one digit run of its name (a layer index) to a
//   number; 3 add a copy under a name with a suffix; 4 change its dtype (float16, float64, int64, bool); 5 fill it with
//   NaN or inf.
// Invariants: nothing crashes, throws or allocates without bound; errors have messages; the options accepted
// build a model whose weights load or are refused with a message; a loaded model holds only finite weights.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "zegclip/model/authors_checkpoint.h"
#include "zegclip/base/tensor_archive.h"
#include "zegclip/model/zegclip_segmentor.h"
#include "zegclip/testing/fuzz_input.h"

namespace {

using zegclip::base::TensorMap;
using zegclip::testing::FuzzBytes;

TensorMap* g_fixture = nullptr;

zegclip::model::SegmentorOptions Base() {
  zegclip::model::SegmentorOptions o;
  o.clip.vision_heads = 2;
  o.clip.text_heads = 2;
  o.decoder.heads = 2;
  return o;
}

std::string RenumberDigits(const std::string& name, FuzzBytes& in) {
  const size_t start = name.find_first_of("0123456789");
  if (start == std::string::npos) return name;
  const size_t end = name.find_first_not_of("0123456789", start);
  const int64_t number = in.IntInRange(0, 1'000'000);
  return name.substr(0, start) + std::to_string(number) + (end == std::string::npos ? "" : name.substr(end));
}

at::Tensor Reshaped(const at::Tensor& t, FuzzBytes& in) {
  std::vector<int64_t> dims(in.IntInRange(0, 4));
  for (int64_t& d : dims) d = in.IntInRange(0, 9);
  return at::zeros(dims, t.options());
}

void ApplyEdit(TensorMap& state, FuzzBytes& in) {
  const int op = static_cast<int>(in.IntInRange(0, 5));
  if (state.empty()) return;
  auto it = std::next(state.begin(), in.IntInRange(0, static_cast<int64_t>(state.size()) - 1));
  const std::string name = it->first;
  const at::Tensor tensor = it->second;
  switch (op) {
    case 0: state.erase(it); break;
    case 1: it->second = Reshaped(tensor, in); break;
    case 2: state.erase(it); state[RenumberDigits(name, in)] = tensor; break;
    case 3: state[name + (in.Bool() ? ".extra" : "_copy")] = tensor.clone(); break;
    case 4: {
      const at::ScalarType types[] = {at::kHalf, at::kDouble, at::kLong, at::kBool};
      it->second = tensor.to(types[in.IntInRange(0, 3)]);
      break;
    }
    default:
      if (tensor.is_floating_point() && tensor.numel() > 0) {
        it->second = tensor.clone();
        it->second.view(-1)[0] = in.Bool() ? std::numeric_limits<float>::quiet_NaN()
                                           : std::numeric_limits<float>::infinity();
      }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  const std::string path = zegclip::testing::FindRunfile((*argv)[0], "zegclip/model/testdata/authors_tiny.tensors");
  absl::StatusOr<TensorMap> state = zegclip::base::ReadTensorArchive(path);
  FUZZ_CHECK(state.ok(), "cannot read the fixture: " + std::string(state.status().message()));
  g_fixture = new TensorMap(*std::move(state));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzBytes in(data, size);
  TensorMap state = *g_fixture;
  for (int edits = 0; in.remaining() > 0 && edits < 16; ++edits) ApplyEdit(state, in);

  absl::StatusOr<zegclip::model::SegmentorOptions> options = zegclip::model::SegmentorOptionsFromAuthors(state, Base());
  if (!options.ok()) {
    FUZZ_CHECK(!options.status().message().empty(), "an options error without a message");
    return 0;
  }
  zegclip::model::ZegClipSegmentor model{nullptr};
  try {
    model = zegclip::model::ZegClipSegmentor(*options);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, "options accepted that build no model: " + std::string(e.what()).substr(0, 200));
  }
  absl::Status loaded = zegclip::model::LoadAuthorsWeights(state, *model, "fuzz.tensors");
  if (!loaded.ok()) {
    FUZZ_CHECK(!loaded.message().empty(), "a load error without a message");
    return 0;
  }
  for (const auto& p : model->named_parameters()) {
    FUZZ_CHECK(!p.value().is_floating_point() || at::isfinite(p.value()).all().item<bool>(),
               "a non-finite weight loaded: " + p.key());
  }
  return 0;
}
