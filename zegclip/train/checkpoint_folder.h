// The checkpoints of one run directory: iter_<N>.ckpt files, how they are listed, pruned and set aside. The trainer
// decides when; this file knows the names, so listing, pruning and resume agree on them.
//
// Example:
//   CheckpointFolder folder(work_dir);
//   std::optional<int64_t> latest = folder.Latest();   // the resume point, if any
//   folder.Prune(/*keep_last=*/3);
#ifndef ZEGCLIP_TRAIN_CHECKPOINT_FOLDER_H_
#define ZEGCLIP_TRAIN_CHECKPOINT_FOLDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace zegclip::train {

class CheckpointFolder {
 public:
  explicit CheckpointFolder(std::string work_dir) : work_dir_(std::move(work_dir)) {}

  std::string Path(int64_t iter) const;
  // The iterations of every iter_<N>.ckpt, ascending (temp files of an interrupted write and set-aside files are no
  // checkpoints; neither is a name whose number does not fit 18 digits).
  std::vector<int64_t> Iters() const;
  std::optional<int64_t> Latest() const;

  // Deletes all but the newest `keep_last` checkpoints (<= 0: keeps all). Best effort: a checkpoint that cannot be
  // deleted only costs disk space.
  void Prune(int keep_last) const;
  // Deletes iter_<N>.ckpt.tmp.<pid> files whose writer is gone (a crash between write and rename); returns them.
  std::vector<std::string> RemoveStrayTempFiles() const;
  // A fresh run (not resuming) must find no checkpoints: they would outrank its own in resume and pruning.
  absl::Status CheckNoEarlierRun() const;
  // Renames iter_<iter>.ckpt to iter_<iter>.ckpt.diverged; returns the new path, or nothing if it could not.
  std::optional<std::string> SetAside(int64_t iter) const;

 private:
  std::string work_dir_;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_CHECKPOINT_FOLDER_H_
