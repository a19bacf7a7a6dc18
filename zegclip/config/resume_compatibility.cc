#include "zegclip/config/resume_compatibility.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace zegclip::config {
namespace {

// Prefixes of the fields that define what a stage trains ("seed" covers the data order and the initialisation).
const std::vector<std::string>& FixedPrefixes(ResumeStage stage) {
  static const std::vector<std::string> train = {"seed", "model.", "data."};
  // pretrain-clip builds the CLIP from model.clip's architecture and renders its pairs from data.* and pretrain.*.
  static const std::vector<std::string> pretrain = {
      "seed", "model.clip.", "data.classes", "data.unseen_classes", "data.seen_classes", "data.synthetic.",
      "pretrain.batch_size", "pretrain.image_size", "pretrain.min_object_size", "pretrain.max_object_size",
      "pretrain.max_objects", "pretrain.varied_caption_fraction", "pretrain.classes"};
  return stage == ResumeStage::kTrain ? train : pretrain;
}

// Inside the fixed prefixes: where files are, how the data is fed, and what only inference reads.
const std::vector<std::string>& Movable() {
  static const std::vector<std::string> fields = {
      "model.clip.checkpoint", "model.clip.bpe_vocab", "model.seen_score_offset", "data.root",
      "data.num_workers",      "data.prefetch_batches", "data.skip_bad_samples",  "data.val_split"};
  return fields;
}

bool MatchesPrefix(const std::string& path, const std::string& prefix) {
  if (prefix.back() == '.') return absl::StartsWith(path, prefix);
  return path == prefix || absl::StartsWith(path, prefix + ".");
}

}  // namespace

bool FixedOnResume(ResumeStage stage, const std::string& path) {
  if (std::find(Movable().begin(), Movable().end(), path) != Movable().end()) return false;
  const std::vector<std::string>& fixed = FixedPrefixes(stage);
  return std::any_of(fixed.begin(), fixed.end(), [&](const std::string& p) { return MatchesPrefix(path, p); });
}

absl::StatusOr<std::vector<report::FieldDifference>> CheckResumeCompatible(const Experiment& recorded,
                                                                           const Experiment& now,
                                                                           const ResumeContext& context) {
  std::vector<report::FieldDifference> changes = report::DiffMessages(recorded, now);
  std::vector<std::string> fixed;
  const report::FieldDifference* first = nullptr;
  for (const report::FieldDifference& d : changes) {
    if (!FixedOnResume(context.stage, d.path)) continue;
    if (first == nullptr) first = &d;
    fixed.push_back(d.path);
  }
  if (first == nullptr) return changes;
  const std::string others =
      fixed.size() == 1 ? "" : absl::StrCat(" (", fixed.size(), " such fields differ: ", absl::StrJoin(fixed, ", "), ")");
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot resume ", context.work_dir, " at iteration ", context.start_iter, ": ", first->path, " is ", first->a,
      " in ", context.work_dir, "/config.pbtxt (the run so far) but ", first->b, " now", others,
      "; what a run trains cannot change when it resumes: choose another --work_dir, or pass --noresume to start ",
      context.work_dir, " again from iteration 0"));
}

}  // namespace zegclip::config
