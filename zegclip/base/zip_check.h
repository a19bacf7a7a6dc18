// Checks a zip archive written by PyTorch (torch.save, torch.jit.save, torch::serialize: every checkpoint and tensor
// archive this project reads) BEFORE LibTorch parses it. LibTorch 1.13 builds its zip reader without CRC checks and
// trusts the sizes in the archive: a flipped byte in a record reaches the unpickler unnoticed, and one in the
// directory made it read past its buffer (found by tensor_archive_fuzzer and checkpoint_fuzzer under ASan). Here
// every directory entry, local header and record must lie inside the file, and every record's CRC-32 must match
// its bytes, so a damaged file is one clear error and LibTorch only ever sees intact archives.
//
// Example:
//   absl::Status zip = CheckZipArchive(path);
//   if (!zip.ok()) return absl::DataLossError(path + ": " + std::string(zip.message()));
//   torch::serialize::InputArchive archive;
//   archive.load_from(path);
#ifndef ZEGCLIP_BASE_ZIP_CHECK_H_
#define ZEGCLIP_BASE_ZIP_CHECK_H_

#include <string>

#include "absl/status/status.h"

namespace zegclip::base {

// OK when `path` is a zip archive (zip64 records included) whose entries are all stored uncompressed, as PyTorch
// writes them, lie inside the file and match their CRC-32. The error says what is wrong and leaves naming the file
// to the caller, who knows what the file is:
//   NotFound / PermissionDenied: "cannot open: <strerror>";
//   InvalidArgument: no zip archive, a damaged or truncated one ("record 'a/data/3' runs past the end of the file
//     (truncated?)"), or features PyTorch never writes (compression, encryption, spanning);
//   DataLoss: "checksum mismatch: record 'a/data/3' fails its CRC-32 check (stored 1a2b3c4d, contents give
//     5e6f7a8b): the file changed after it was written (disk error, partial copy, edit?)".
absl::Status CheckZipArchive(const std::string& path);

}  // namespace zegclip::base

#endif  // ZEGCLIP_BASE_ZIP_CHECK_H_
