#include "zegclip/report/run_directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace zegclip::report {

// The open, flock'ed lock file; unlocked and closed when the last RunDirectoryLock sharing it goes.
struct RunDirectoryLock::Held {
  int fd = -1;
  std::string key;
  ~Held();
};

namespace {

// Locks this process holds, by the directory's real path: flock(2) would refuse a second open file description of
// the same file even within one process, so re-entry shares the one that is held.
std::mutex& RegistryMutex() {
  static std::mutex* mutex = new std::mutex;
  return *mutex;
}
std::map<std::string, std::weak_ptr<RunDirectoryLock::Held>>& Registry() {
  static auto* registry = new std::map<std::string, std::weak_ptr<RunDirectoryLock::Held>>;
  return *registry;
}

std::string Hostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "unknown host";
  return name;
}

std::string Now() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

// What the current holder wrote into the lock file ("pid 4711 on node3 (train since 2026-12-03 17:40:01)").
std::string HolderOf(int fd) {
  char buffer[512] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return "another process (it has not said which yet)";
  return std::string(absl::StripTrailingAsciiWhitespace(std::string(buffer, static_cast<size_t>(n))));
}

void RecordHolder(int fd, const std::string& purpose) {
  const std::string text = absl::StrCat("pid ", ::getpid(), " on ", Hostname(), " (", purpose, " since ", Now(), ")\n");
  if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, text.data(), text.size(), 0) < 0) {
    // Only informative: the flock itself is the lock.
  }
}

}  // namespace

RunDirectoryLock::Held::~Held() {
  {
    std::lock_guard<std::mutex> guard(RegistryMutex());
    auto it = Registry().find(key);
    if (it != Registry().end() && it->second.expired()) Registry().erase(it);
  }
  if (fd >= 0) {
    ::flock(fd, LOCK_UN);
    ::close(fd);
  }
}

absl::StatusOr<RunDirectoryLock> RunDirectoryLock::Acquire(const std::string& dir, const std::string& purpose) {
  char real[PATH_MAX];
  if (::realpath(dir.c_str(), real) == nullptr) {
    return absl::NotFoundError(absl::StrCat(dir, ": cannot open the run directory: ", std::strerror(errno)));
  }
  const std::string key = real;
  std::lock_guard<std::mutex> guard(RegistryMutex());
  if (std::shared_ptr<Held> held = Registry()[key].lock()) return RunDirectoryLock(held);
  const std::string path = absl::StrCat(key, "/", kFileName);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot create the run directory's lock file: ",
                                                    std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = HolderOf(fd);
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return absl::FailedPreconditionError(absl::StrCat(
          dir, " is in use by ", holder, ": one writer per run directory; wait for it to finish or choose another "
          "--work_dir"));
    }
    return absl::UnavailableError(absl::StrCat(path, ": cannot lock: ", std::strerror(error)));
  }
  RecordHolder(fd, purpose);
  auto held = std::make_shared<Held>();
  held->fd = fd;
  held->key = key;
  Registry()[key] = held;
  return RunDirectoryLock(held);
}

}  // namespace zegclip::report
