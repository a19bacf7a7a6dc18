#include "zegclip/report/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace zegclip::report {
namespace {

absl::Status ErrnoError(const std::string& path, const char* call) {
  return absl::UnavailableError(absl::StrCat(path, ": ", call, " failed: ", std::strerror(errno)));
}

// Writes everything to `fd`, retrying interrupted and short writes.
bool WriteAll(int fd, const std::string& contents) {
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

void SyncFolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  // The pid keeps concurrent writers (several ranks, several runs) off each other's temporary file.
  const std::string temp = absl::StrCat(path, ".tmp.", ::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(path, "open of the temporary file");
  absl::Status status;
  if (!WriteAll(fd, contents)) status = ErrnoError(path, "write (disk full?)");
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoError(path, "fsync");
  if (::close(fd) != 0 && status.ok()) status = ErrnoError(path, "close");
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) status = ErrnoError(path, "rename");
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  SyncFolderOf(path);
  return absl::OkStatus();
}

}  // namespace zegclip::report
