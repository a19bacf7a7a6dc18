// One writer per run directory: an exclusive flock(2) on <dir>/.zegclip.lock, held for as long as the lock object
// lives (the writing process's life, in practice). A second writer, in this process or another, on this host or on
// another sharing the folder (NFSv4, Lustre, GPFS honour flock), gets one error naming the holder's pid, host, what
// it is doing and since when. The kernel drops the lock when the holder exits, however it exits, so no lock is ever
// stale.
//
// Within one process the lock is re-entrant: a stage that holds its run directory can call a library (the trainer)
// that locks it again; the file stays locked until the last holder is gone.
//
// Example:
//   absl::StatusOr<RunDirectoryLock> lock = RunDirectoryLock::Acquire("runs/q/zegclip", "train");
//   if (!lock.ok()) return lock.status();   // "runs/q/zegclip is in use by pid 4711 on node3 (train since ...)"
//   ... write the run's files ...
#ifndef ZEGCLIP_REPORT_RUN_DIRECTORY_LOCK_H_
#define ZEGCLIP_REPORT_RUN_DIRECTORY_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace zegclip::report {

class RunDirectoryLock {
 public:
  // The lock file's name inside the run directory.
  static constexpr char kFileName[] = ".zegclip.lock";

  // `dir` must exist. `purpose` is what the holder records for others to read ("train", "eval", ...). Errors: the
  // directory cannot be opened or locked (names the path and the errno text), or another process holds it (names
  // that holder).
  static absl::StatusOr<RunDirectoryLock> Acquire(const std::string& dir, const std::string& purpose);

  RunDirectoryLock(RunDirectoryLock&&) = default;
  RunDirectoryLock& operator=(RunDirectoryLock&&) = default;

  struct Held;  // opaque: the open, locked file (run_directory_lock.cc)

 private:
  explicit RunDirectoryLock(std::shared_ptr<Held> held) : held_(std::move(held)) {}
  std::shared_ptr<Held> held_;
};

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_RUN_DIRECTORY_LOCK_H_
