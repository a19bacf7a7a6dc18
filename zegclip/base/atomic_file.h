// Writing a file so that readers see the old contents or the new, never a torn file: a temporary file beside the
// target (`<path>.tmp.<pid>`, the name the trainer's stale-file sweep knows), flushed to disk, renamed over it, and
// the folder synced so the rename itself survives a crash. Checkpoints, tensor archives, manifests, configs and
// result files all go through here, so the temp + fsync + rename sequence lives in one place.
//
// Example:
//   absl::Status s = WriteFileAtomically(work_dir + "/eval.json", json_text);
//   // Large data streamed straight into the temporary file (no second copy in memory):
//   absl::Status t = WriteFileAtomically(path, [&](std::ostream& out) {
//     archive.save_to(out);
//     return absl::OkStatus();
//   });
#ifndef ZEGCLIP_BASE_ATOMIC_FILE_H_
#define ZEGCLIP_BASE_ATOMIC_FILE_H_

#include <functional>
#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace zegclip::base {

// Errors name the path and the failing call; on failure the temporary file is removed and `path` is untouched.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

// Streams the contents through `write` into the temporary file. A non-OK status from `write`, or a stream that went
// bad (e.g. a full disk), leaves `path` untouched; `write`'s own error is returned as it is.
absl::Status WriteFileAtomically(const std::string& path, const std::function<absl::Status(std::ostream&)>& write);

// For writers that must open the file themselves (a library taking a file name, e.g. zlib's gzopen): `write` creates
// and closes `temp_path`; it is then synced and renamed over `path` as above.
absl::Status WriteFileAtomicallyVia(const std::string& path,
                                    const std::function<absl::Status(const std::string& temp_path)>& write);

// The temporary file a write to `path` by this process uses (tests, and sweeps of files a crash left behind).
std::string AtomicTempPath(const std::string& path);

}  // namespace zegclip::base

#endif  // ZEGCLIP_BASE_ATOMIC_FILE_H_
