#include "zegclip/base/path_check.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace zegclip::base {
namespace {

namespace fs = std::filesystem;

absl::StatusCode CodeOf(int error_number) {
  switch (error_number) {
    case ENOENT:
    case ENOTDIR: return absl::StatusCode::kNotFound;
    case EACCES:
    case EPERM:
    case EROFS: return absl::StatusCode::kPermissionDenied;
    case ENOSPC:
    case EDQUOT:
    case ENOMEM: return absl::StatusCode::kResourceExhausted;
    case ELOOP:
    case EISDIR:
    case EEXIST:
    case ENAMETOOLONG: return absl::StatusCode::kFailedPrecondition;
    default: return absl::StatusCode::kUnavailable;
  }
}

// strerror's sentence in lower case ("Permission denied" -> "permission denied"), to read as part of ours.
std::string Reason(const std::error_code& error) {
  std::string text = error.message();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

absl::Status PathError(const std::string& what, const std::string& path, std::error_code error) {
  const absl::StatusCode code = CodeOf(error.value());
  if (code == absl::StatusCode::kNotFound) return absl::NotFoundError(absl::StrCat(what, " not found: ", path));
  return absl::Status(code, absl::StrCat(what, " ", path, ": ", Reason(error)));
}

absl::Status ErrnoPathError(const std::string& what, const std::string& path, int error_number) {
  return PathError(what, path, std::error_code(error_number, std::generic_category()));
}

absl::Status WriteError(const std::string& path, int error_number) {
  const std::error_code error(error_number, std::generic_category());
  return absl::Status(CodeOf(error_number), absl::StrCat("cannot write ", path, ": ", Reason(error)));
}

absl::StatusOr<PathType> TypeOf(const std::string& path, const std::string& what) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) return PathType::kMissing;
  if (error) return PathError(what, path, error);
  if (fs::is_regular_file(status)) return PathType::kFile;
  if (fs::is_directory(status)) return PathType::kDirectory;
  return PathType::kOther;
}

absl::Status CheckReadableFile(const std::string& path, const std::string& what) {
  absl::StatusOr<PathType> type = TypeOf(path, what);
  if (!type.ok()) return type.status();
  if (*type == PathType::kMissing) return absl::NotFoundError(absl::StrCat(what, " not found: ", path));
  if (*type == PathType::kDirectory) {
    return absl::FailedPreconditionError(absl::StrCat(what, " ", path, ": is a folder, not a file"));
  }
  if (*type == PathType::kOther) {
    return absl::FailedPreconditionError(absl::StrCat(what, " ", path, ": not a regular file"));
  }
  // Opening is the only honest test of read permission (access() answers for the real, not the effective, user).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoPathError(what, path, errno);
  ::close(fd);
  return absl::OkStatus();
}

absl::Status CheckDirectory(const std::string& path, const std::string& what) {
  absl::StatusOr<PathType> type = TypeOf(path, what);
  if (!type.ok()) return type.status();
  if (*type == PathType::kMissing) return absl::NotFoundError(absl::StrCat(what, " not found: ", path));
  if (*type != PathType::kDirectory) {
    return absl::FailedPreconditionError(absl::StrCat(what, " ", path, ": not a folder"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& path, const std::string& what) {
  if (absl::Status s = CheckDirectory(path, what); !s.ok()) return s;
  std::error_code error;
  fs::directory_iterator it(path, error);
  std::vector<std::string> names;
  // increment(error), not ++: the operator throws when reading the folder fails midway.
  for (; !error && it != fs::directory_iterator(); it.increment(error)) {
    names.push_back(it->path().filename().string());
  }
  if (error) return PathError(what, path, error);
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status CreateDirectories(const std::string& path, const std::string& what) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": empty path"));
  absl::StatusOr<PathType> type = TypeOf(path, what);
  if (!type.ok()) return type.status();
  if (*type == PathType::kDirectory) return absl::OkStatus();
  if (*type != PathType::kMissing) {
    return absl::FailedPreconditionError(absl::StrCat(what, " ", path, ": exists and is not a folder"));
  }
  std::error_code error;
  fs::create_directories(path, error);
  // ENOTDIR: a part of the path is a file; "not found" would send the user looking for the wrong thing.
  if (error.value() == ENOTDIR) {
    return absl::FailedPreconditionError(absl::StrCat(what, " ", path, ": a part of the path is not a folder"));
  }
  if (error) return PathError(what, path, error);
  return absl::OkStatus();
}

}  // namespace zegclip::base
