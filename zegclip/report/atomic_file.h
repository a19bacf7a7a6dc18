// Writing a file so that readers see the old contents or the new, never a torn file: a temporary file beside the
// target, flushed to disk, renamed over it, and the folder synced so the rename itself survives a crash.
// Checkpoints, manifests, configs and result files all go through here.
//
// Example:
//   absl::Status s = WriteFileAtomically(work_dir + "/eval.json", json_text);
#ifndef ZEGCLIP_REPORT_ATOMIC_FILE_H_
#define ZEGCLIP_REPORT_ATOMIC_FILE_H_

#include <string>

#include "absl/status/status.h"

namespace zegclip::report {

// Errors name the path and the failing call; on failure the temporary file is removed and `path` is untouched.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_ATOMIC_FILE_H_
