// Fuzz target: ParseNpy on arbitrary bytes. Never crashes; an accepted file re-encodes (SerializeNpy) to bytes that
// parse back to the same dtype, shape and values (NaN payloads compared bitwise).
#include <cstddef>
#include <cstdint>
#include <string>

#include <ATen/ATen.h>

#include "zegclip/base/npy_io.h"
#include "zegclip/testing/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<at::Tensor> parsed = zegclip::base::ParseNpy(bytes, "fuzz.npy");
  if (!parsed.ok()) {
    FUZZ_CHECK(!parsed.status().message().empty(), "an error without a message");
    return 0;
  }
  FUZZ_CHECK(parsed->is_contiguous(), "a parsed tensor that is not contiguous");
  absl::StatusOr<std::string> encoded = zegclip::base::SerializeNpy(*parsed);
  FUZZ_CHECK(encoded.ok(), "an accepted array that cannot be written back: " + std::string(encoded.status().message()));
  absl::StatusOr<at::Tensor> again = zegclip::base::ParseNpy(*encoded, "roundtrip.npy");
  FUZZ_CHECK(again.ok(), "our own encoding rejected: " + std::string(again.status().message()));
  FUZZ_CHECK(again->scalar_type() == parsed->scalar_type() && again->sizes() == parsed->sizes(),
             "the round trip changed dtype or shape");
  const at::Tensor a = parsed->flatten().view(at::kByte), b = again->flatten().view(at::kByte);
  FUZZ_CHECK(parsed->numel() == 0 || a.equal(b), "the round trip changed the values");
  return 0;
}
