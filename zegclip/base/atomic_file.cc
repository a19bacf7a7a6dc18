#include "zegclip/base/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <streambuf>
#include <vector>

#include "absl/strings/str_cat.h"

namespace zegclip::base {
namespace {

absl::Status ErrnoError(const std::string& path, const char* call, int error) {
  return absl::UnavailableError(absl::StrCat(path, ": ", call, " failed: ", std::strerror(error)));
}

// Writes everything to `fd`, retrying interrupted and short writes. Returns 0 or the errno of the failure.
int WriteAll(int fd, const char* data, size_t size) {
  size_t written = 0;
  while (written < size) {
    const ssize_t n = ::write(fd, data + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;  // a zero-byte write of a non-empty buffer: nothing more will fit
    written += static_cast<size_t>(n);
  }
  return 0;
}

// An ostream's buffer over a file descriptor, keeping the first write error's errno (std::ofstream loses it, and
// the caller's message should say "No space left on device", not just "bad stream").
class FdStreambuf : public std::streambuf {
 public:
  explicit FdStreambuf(int fd) : fd_(fd), buffer_(1 << 16) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }

  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!Drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

  // Large blocks (tensor storages) go straight to the file rather than through the buffer.
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    if (size < static_cast<std::streamsize>(buffer_.size()) / 2) return std::streambuf::xsputn(data, size);
    if (!Drain()) return 0;
    error_ = WriteAll(fd_, data, static_cast<size_t>(size));
    return error_ == 0 ? size : 0;
  }

  int sync() override { return Drain() ? 0 : -1; }

 private:
  bool Drain() {
    if (error_ != 0) return false;
    error_ = WriteAll(fd_, pbase(), static_cast<size_t>(pptr() - pbase()));
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_ == 0;
  }

  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

// Opens the temporary file for writing: created or truncated (a stale one a killed writer of the same pid left).
absl::Status OpenTemp(const std::string& path, const std::string& temp, int* fd) {
  *fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (*fd < 0) return ErrnoError(path, "open of the temporary file", errno);
  return absl::OkStatus();
}

void SyncFolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// The one sequence every variant shares: `write` fills the temporary file, which is then made durable (fsync works
// on any descriptor of the file, so a writer that closed it is synced through a read-only one), renamed over `path`,
// and the folder synced. Any failure removes the temporary file and leaves `path` as it was.
absl::Status Commit(const std::string& path, const std::function<absl::Status(const std::string& temp)>& write) {
  const std::string temp = AtomicTempPath(path);
  absl::Status status = write(temp);
  if (status.ok()) {
    const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      status = ErrnoError(path, "open of the written temporary file", errno);
    } else {
      if (::fsync(fd) != 0) status = ErrnoError(path, "fsync", errno);
      ::close(fd);
    }
  }
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) status = ErrnoError(path, "rename", errno);
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  SyncFolderOf(path);
  return absl::OkStatus();
}

}  // namespace

std::string AtomicTempPath(const std::string& path) {
  // The pid keeps concurrent writers (several ranks, several runs) off each other's temporary file.
  return absl::StrCat(path, ".tmp.", ::getpid());
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  return Commit(path, [&](const std::string& temp) {
    int fd = -1;
    if (absl::Status s = OpenTemp(path, temp, &fd); !s.ok()) return s;
    const int error = WriteAll(fd, contents.data(), contents.size());
    absl::Status status = error == 0 ? absl::OkStatus() : ErrnoError(path, "write (disk full?)", error);
    if (::close(fd) != 0 && status.ok()) status = ErrnoError(path, "close", errno);
    return status;
  });
}

absl::Status WriteFileAtomically(const std::string& path, const std::function<absl::Status(std::ostream&)>& write) {
  return Commit(path, [&](const std::string& temp) {
    int fd = -1;
    if (absl::Status s = OpenTemp(path, temp, &fd); !s.ok()) return s;
    FdStreambuf buffer(fd);
    std::ostream out(&buffer);
    absl::Status status = write(out);
    if (status.ok()) out.flush();
    if (status.ok() && (buffer.error() != 0 || !out)) {
      status = buffer.error() != 0 ? ErrnoError(path, "write (disk full?)", buffer.error())
                                   : absl::UnavailableError(absl::StrCat(path, ": the output stream failed"));
    }
    if (::close(fd) != 0 && status.ok()) status = ErrnoError(path, "close", errno);
    return status;
  });
}

absl::Status WriteFileAtomicallyVia(const std::string& path,
                                    const std::function<absl::Status(const std::string& temp_path)>& write) {
  return Commit(path, write);
}

}  // namespace zegclip::base
