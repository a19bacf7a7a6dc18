// Training checkpoints: model parameters + buffers (by dotted name), optimizer state (AdamW's exp_avg, exp_avg_sq,
// step ...), the iteration, every rank's RNG state and a string metadata map, in one file written ATOMICALLY
// (path.tmp.<pid>, fsync, rename, fsync of the folder): a crash mid-write leaves the previous checkpoint intact, never
// a torn file. Loading restores everything, so a resumed run continues bit for bit like an uninterrupted one.
// Integrity: a state with NaN or inf in the model or the optimizer's moments is never written; on load, the zip
// container's records are checked against their CRC-32s before LibTorch parses anything (LibTorch does not), every
// tensor must lie inside its storage, the file's own checksum of its contents (content_digest.h) is verified before
// anything is copied, and a loaded model tensor that is not finite is refused, so a flipped byte or a diverged file
// is one clear error, never a silent wrong answer or a read of foreign memory.
//
// The file is a LibTorch archive (torch::serialize), so C++ tools can open it without this code.
//
// Example:
//   TrainingState state{/*iter=*/5000, {CaptureRngState()}, {{"config", text}}};  // rng_state.h
//   absl::Status s = SaveCheckpoint(work_dir + "/iter_5000.ckpt", *model, optimizer.get(), state);
//   ...
//   TrainingState loaded;
//   s = LoadCheckpoint(path, *model, optimizer.get(), &loaded);  // "path: ..." error if missing or corrupt
//   RestoreRngState(loaded.rng_states[rank]);
#ifndef ZEGCLIP_TRAIN_CHECKPOINT_H_
#define ZEGCLIP_TRAIN_CHECKPOINT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include "absl/status/status.h"

namespace zegclip::train {

struct TrainingState {
  int64_t iter = 0;                          // completed iterations
  std::vector<std::string> rng_states;       // one CaptureRngState() (rng_state.h) per rank, by rank
  std::map<std::string, std::string> metadata;
};

// Writes `model`'s parameters and buffers, the optimizer's state (skipped when null) and `state` to `path`.
absl::Status SaveCheckpoint(const std::string& path, const torch::nn::Module& model,
                            const torch::optim::Optimizer* optimizer, const TrainingState& state);

// Restores what SaveCheckpoint wrote. Every parameter and buffer of `model` must be in the file with the same shape
// (and no others); `optimizer` (when not null) must have the same groups as the one saved. Errors name the file.
absl::Status LoadCheckpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                            TrainingState* state);

// Reads the file at `path` without a model and checks what can be checked alone: a zegclip checkpoint, readable,
// its checksum matching its contents, its model tensors finite (v1 files, which have no checksum, pass if
// readable). The resume uses it to name the newest good checkpoint when the newest one is bad.
absl::Status VerifyCheckpoint(const std::string& path);

// What every reader of a checkpoint file runs before LibTorch parses it: a readable regular file whose zip container
// is intact (base/zip_check.h: every record inside the file and matching its CRC-32), so a damaged file is one
// clear error naming it ("x.ckpt: checksum mismatch: record ..."), never a read of foreign memory.
absl::Status CheckCheckpointContainer(const std::string& path);

// Names of the model's parameters / buffers and the optimizer's moments that hold NaN or inf (empty: all finite).
std::vector<std::string> NonFiniteTensors(const torch::nn::Module& model, const torch::optim::Optimizer* optimizer);

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_CHECKPOINT_H_
