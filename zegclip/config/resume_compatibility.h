// What a resumed run may change. A run resumed from its newest checkpoint continues one experiment: the fields that
// say WHAT is trained (the model, the data and its augmentation, the seed that orders the data) must be as the run
// recorded them in its config.pbtxt; the fields that say HOW it is run (optimisation, evaluation, reporting,
// distribution, threads, file locations) may change, and each change becomes a new segment of the run's history
// (report/run_history.h) rather than being recorded as if it had held from iteration 0.
//
// Example:
//   absl::StatusOr<std::vector<report::FieldDifference>> changes =
//       CheckResumeCompatible(recorded, now, {ResumeStage::kTrain, "runs/a", 300});
//   // error: "cannot resume runs/a at iteration 300: model.decoder.layers is 2 in runs/a/config.pbtxt ..."
#ifndef ZEGCLIP_CONFIG_RESUME_COMPATIBILITY_H_
#define ZEGCLIP_CONFIG_RESUME_COMPATIBILITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/report/config_diff.h"

namespace zegclip::config {

// The stages that resume; each trains a different part of the experiment.
enum class ResumeStage {
  kTrain,     // `zegclip train`: ZegCLIP on data.* with model.*
  kPretrain,  // `zegclip pretrain-clip`: a CLIP of model.clip's architecture on pretrain.* pairs
};

struct ResumeContext {
  ResumeStage stage = ResumeStage::kTrain;
  std::string work_dir;    // named in the error
  int64_t start_iter = 0;  // the iteration the resume continues from
};

// True when `path` (a FieldDifference path such as "model.decoder.layers") may not change on resume of `stage`.
bool FixedOnResume(ResumeStage stage, const std::string& path);

// The fields in which `now` differs from `recorded` (the run's config.pbtxt), all of them allowed to change; or
// FailedPrecondition naming the first fixed field that differs with both values, how many fixed fields differ, and
// what to do instead (another --work_dir, or --noresume to start the run again from iteration 0).
absl::StatusOr<std::vector<report::FieldDifference>> CheckResumeCompatible(const Experiment& recorded,
                                                                           const Experiment& now,
                                                                           const ResumeContext& context);

}  // namespace zegclip::config

#endif  // ZEGCLIP_CONFIG_RESUME_COMPATIBILITY_H_
