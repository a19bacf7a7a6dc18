// Fuzz target: CheckZipArchive on arbitrary files, and LibTorch's zip reader behind it. Invariants: the check never
// crashes or hangs; an archive it accepts opens in PyTorchStreamReader and every record reads back (under ASan:
// without touching memory outside its buffers) -- the promise the checkpoint and tensor-archive readers rely on.
#include <cstddef>
#include <cstdint>
#include <string>

#include <caffe2/serialize/inline_container.h>

#include "zegclip/base/zip_check.h"
#include "zegclip/testing/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = zegclip::testing::InputFile(std::string(reinterpret_cast<const char*>(data), size));
  const absl::Status checked = zegclip::base::CheckZipArchive(path);
  if (!checked.ok()) {
    FUZZ_CHECK(!checked.message().empty(), "an error without a message");
    return 0;
  }
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    for (const std::string& record : reader.getAllRecords()) (void)reader.getRecord(record);
  } catch (const std::exception&) {
    // LibTorch may still refuse an intact zip that is no PyTorch archive (no archive folder, no version record).
  }
  return 0;
}
