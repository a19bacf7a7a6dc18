// Questions about paths that never throw: every std::filesystem call here uses its std::error_code form, so a
// symlink loop, a folder without search permission or a path component that is a file becomes a Status naming the
// path instead of an uncaught std::filesystem::filesystem_error. Errors are one sentence each, e.g.
//   "image file not found: /data/JPEGImages/x.jpg"
//   "image file /data/JPEGImages/x.jpg: permission denied"
//   "run directory runs/a: too many levels of symbolic links"
// Status codes: NotFound (missing), PermissionDenied (EACCES, EPERM, EROFS), ResourceExhausted (disk full),
// FailedPrecondition (a folder where a file is wanted, or the reverse; a symlink loop), Unavailable otherwise.
//
// Example:
//   if (absl::Status s = CheckReadableFile(path, "image file"); !s.ok()) return s;
//   absl::StatusOr<std::vector<std::string>> names = ListDirectory(folder, "image folder");
#ifndef ZEGCLIP_BASE_PATH_CHECK_H_
#define ZEGCLIP_BASE_PATH_CHECK_H_

#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::base {

enum class PathType { kMissing, kFile, kDirectory, kOther };

// "<what> <path>: <reason>" (NotFound: "<what> not found: <path>") with the code matching the error.
absl::Status PathError(const std::string& what, const std::string& path, std::error_code error);
absl::Status ErrnoPathError(const std::string& what, const std::string& path, int error_number);
// A failed write: "cannot write <path>: <reason>" (e.g. "no space left on device"), the code as above.
absl::Status WriteError(const std::string& path, int error_number);

// kMissing for a path that does not exist (a dangling symlink included); an error for what stat cannot answer.
absl::StatusOr<PathType> TypeOf(const std::string& path, const std::string& what);

// OK when `path` is a regular file (symlinks followed) this process can open for reading.
absl::Status CheckReadableFile(const std::string& path, const std::string& what);
// OK when `path` is a folder (symlinks followed).
absl::Status CheckDirectory(const std::string& path, const std::string& what);

// The names of a folder's entries, sorted; the folder's own errors and those met while listing name it.
absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& path, const std::string& what);

// mkdir -p; an existing folder is fine, anything else in the way (a file, a symlink loop) is an error naming it.
absl::Status CreateDirectories(const std::string& path, const std::string& what);

}  // namespace zegclip::base

#endif  // ZEGCLIP_BASE_PATH_CHECK_H_
