#include "zegclip/engine/run_preflight.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "zegclip/engine/dataset_factory.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/base/path_check.h"

namespace zegclip::engine {
namespace {

bool Trains(RunKind kind) { return kind != RunKind::kEval; }

bool Rendered(const config::DataConfig& data) { return data.dataset() == config::SYNTHETIC && data.root().empty(); }

absl::Status Annotated(const std::string& prefix, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(prefix, s.message()));
}

// The number of images a split lists; the error names the field that chose the split.
absl::StatusOr<int64_t> ListSplit(const config::Experiment& e, const std::string& role, const std::string& field,
                                  const std::string& name) {
  absl::StatusOr<std::unique_ptr<data::FolderDataset>> dataset = MakeFolderDataset(e, role, /*require_files=*/false);
  if (!dataset.ok()) return Annotated(absl::StrCat(field, " '", name, "': "), dataset.status());
  return (*dataset)->size();
}

// Every split the run reads can be listed; returns the train split's size (0 when the run does not train).
absl::StatusOr<int64_t> CheckSplits(const config::Experiment& e, RunKind kind) {
  const config::DataConfig& data = e.data();
  if (Rendered(data)) return Trains(kind) ? int64_t{data.synthetic().train_images()} : int64_t{0};
  if (data.root().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("data.root: empty; ", config::DatasetKind_Name(data.dataset()),
                                                   " is read from its dataset folder (--set=data.root=DIR)"));
  }
  int64_t train = 0;
  if (Trains(kind)) {
    absl::StatusOr<int64_t> n = ListSplit(e, "train", "data.train_split", data.train_split());
    if (!n.ok()) return n.status();
    train = *n;
  }
  if (absl::StatusOr<int64_t> n = ListSplit(e, "val", "data.val_split", data.val_split()); !n.ok()) return n.status();
  const std::string& calibration = e.eval().calibration_split();
  if (!calibration.empty()) {
    // Read like the validation split, from the calibration split's file (as MakeCalibrationDataset does).
    config::Experiment held_out = e;
    held_out.mutable_data()->set_val_split(calibration);
    absl::StatusOr<int64_t> n = ListSplit(held_out, "val", "eval.calibration_split", calibration);
    if (!n.ok()) return n.status();
  }
  return train;
}

// The loader drops the last partial batch of each rank's share, so a train split smaller than one global batch
// gives no batch at all.
absl::Status CheckBatchFits(const config::Experiment& e, int64_t train_images, int64_t world_size) {
  const int64_t per_rank = e.data().batch_size_per_rank();
  if (train_images >= per_rank * world_size) return absl::OkStatus();
  const std::string source = Rendered(e.data()) ? "data.synthetic.train_images is"
                                                : absl::StrCat("data.train_split '", e.data().train_split(), "' lists");
  return absl::InvalidArgumentError(absl::StrCat(
      "data.batch_size_per_rank: ", per_rank, " per rank x ", world_size, " rank(s) needs at least ",
      per_rank * world_size, " training images, but ", source, " ", train_images,
      " (lower data.batch_size_per_rank or give more training images)"));
}

// model.clip's architecture fields against the checkpoint's own (read off its tensor shapes). vocab_size is left
// out: it comes with the BPE vocabulary (pretrain-clip sizes the CLIP by the vocabulary it learns), and the
// tokenizer is checked against the text encoder where it is loaded.
absl::Status CheckClipArchitecture(const config::ClipConfig& c) {
  absl::StatusOr<clip::ClipOptions> found = clip::InferClipOptions(c.checkpoint());
  if (!found.ok()) return Annotated("model.clip.checkpoint: ", found.status());
  const std::vector<std::pair<const char*, std::pair<int64_t, int64_t>>> fields = {
      {"pretrain_image_size", {c.pretrain_image_size(), found->image_resolution}},
      {"patch_size", {c.patch_size(), found->patch_size}},
      {"vision_width", {c.vision_width(), found->vision_width}},
      {"vision_layers", {c.vision_layers(), found->vision_layers}},
      {"vision_heads", {c.vision_heads(), found->vision_heads}},
      {"embed_dim", {c.embed_dim(), found->embed_dim}},
      {"context_length", {c.context_length(), found->context_length}},
      {"text_width", {c.text_width(), found->text_width}},
      {"text_heads", {c.text_heads(), found->text_heads}},
      {"text_layers", {c.text_layers(), found->text_layers}},
  };
  for (const auto& [field, values] : fields) {
    if (values.first == values.second) continue;
    return absl::InvalidArgumentError(absl::StrCat(
        "model.clip.", field, ": ", values.first, ", but the CLIP checkpoint ", c.checkpoint(), " has ",
        values.second, " (the architecture is read from model.clip.checkpoint, so the field would be ignored; make "
        "it ", values.second, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckCheckpoints(const config::Experiment& e, const PreflightOptions& o) {
  const config::ClipConfig& clip = e.model().clip();
  const bool needs_clip = o.clip_checkpoint_needed && (o.kind == RunKind::kTrain || o.kind == RunKind::kEval);
  if (needs_clip && clip.checkpoint().empty()) {
    return absl::InvalidArgumentError(
        "model.clip.checkpoint: empty; the run builds on a CLIP (OpenAI's ViT-B-16.pt or a clip.pt from "
        "pretrain-clip)");
  }
  if (o.clip_checkpoint_needed && o.kind != RunKind::kQuickstart && !clip.checkpoint().empty()) {
    if (absl::Status s = base::CheckReadableFile(clip.checkpoint(), "model.clip.checkpoint"); !s.ok()) return s;
    if (absl::Status s = CheckClipArchitecture(clip); !s.ok()) return s;
  }
  const std::string& init = e.train().init_checkpoint();
  if (Trains(o.kind) && !init.empty()) {
    if (absl::Status s = base::CheckReadableFile(init, "train.init_checkpoint"); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckBeforeRun(const config::Experiment& experiment, const PreflightOptions& options) {
  absl::StatusOr<int64_t> train_images = CheckSplits(experiment, options.kind);
  if (!train_images.ok()) return train_images.status();
  if (Trains(options.kind)) {
    if (absl::Status s = CheckBatchFits(experiment, *train_images, options.world_size); !s.ok()) return s;
  }
  return CheckCheckpoints(experiment, options);
}

}  // namespace zegclip::engine
