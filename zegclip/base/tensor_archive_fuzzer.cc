// Fuzz target: ReadTensorArchive (a torch.save zip of name -> tensor, read by LibTorch's unpickler) on arbitrary
// files. Invariants: nothing crashes or throws; errors have messages; an archive that reads writes back
// (WriteTensorArchive) and reads again to the same names, dtypes, shapes and bytes.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <ATen/ATen.h>

#include "zegclip/base/tensor_archive.h"
#include "zegclip/testing/fuzz_input.h"

namespace {

// dtype, shape, strides, offset and storage bytes of each tensor, for a failed check's message.
std::string Describe(const zegclip::base::TensorMap& state) {
  std::ostringstream out;
  for (const auto& [name, t] : state) {
    out << "'" << name << "' " << t.scalar_type() << " " << t.sizes() << " strides " << t.strides() << " offset "
        << t.storage_offset() << " storage " << t.storage().nbytes() << " bytes at "
        << (t.storage().data() == nullptr ? "null" : "data") << "; ";
  }
  return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using zegclip::base::TensorMap;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::string& path = zegclip::testing::InputFile(bytes);
  absl::StatusOr<TensorMap> state = zegclip::base::ReadTensorArchive(path);
  if (!state.ok()) {
    FUZZ_CHECK(!state.status().message().empty(), "an error without a message");
    return 0;
  }
  const std::string copy = path + ".copy";
  const absl::Status written = zegclip::base::WriteTensorArchive(*state, copy);
  FUZZ_CHECK(written.ok(), "an archive read cannot be written back: " + std::string(written.message()) + "; " +
                               Describe(*state));
  absl::StatusOr<TensorMap> again = zegclip::base::ReadTensorArchive(copy);
  std::remove(copy.c_str());
  FUZZ_CHECK(again.ok(), "our own archive does not read: " + std::string(again.status().message()));
  FUZZ_CHECK(again->size() == state->size(), "the round trip changed the number of tensors");
  for (const auto& [name, tensor] : *state) {
    const auto it = again->find(name);
    FUZZ_CHECK(it != again->end(), "the round trip lost " + name);
    const at::Tensor& back = it->second;
    FUZZ_CHECK(back.scalar_type() == tensor.scalar_type() && back.sizes() == tensor.sizes(),
               "the round trip changed dtype or shape of " + name);
    FUZZ_CHECK(tensor.numel() == 0 || at::equal(back.contiguous().flatten().view(at::kByte),
                                                tensor.contiguous().flatten().view(at::kByte)),
               "the round trip changed the values of " + name);
  }
  return 0;
}
