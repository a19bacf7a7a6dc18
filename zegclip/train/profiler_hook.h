// Profiles a window of training steps on rank 0 (detectron2's TorchProfiler hook): every ATen call of steps
// [start, start + steps) — forward, loss, backward, optimizer — written to <out_dir>/trace.json (Chrome trace) and
// <out_dir>/ops.md (op_profile.h's table: time per op, op calls per step, GFLOP/s of the matrix products). The first
// steps are skipped because they include one-time allocation and thread-pool start-up.
//
// Example:
//   trainer.AddHook(std::make_unique<ProfilerHook>(ProfilerOptions{work_dir + "/profile", 5, 10}, comm.is_main()));
#ifndef ZEGCLIP_TRAIN_PROFILER_HOOK_H_
#define ZEGCLIP_TRAIN_PROFILER_HOOK_H_

#include <cstdint>
#include <memory>
#include <string>

#include "zegclip/train/op_recorder.h"
#include "zegclip/train/trainer_hook.h"

namespace zegclip::train {

struct ProfilerOptions {
  std::string out_dir;    // created if missing
  int64_t start = 5;      // iterations completed before the window opens
  int64_t steps = 10;     // steps in the window (fewer if the run ends first)
};

class ProfilerHook : public TrainerHook {
 public:
  ProfilerHook(ProfilerOptions options, bool enabled);
  ~ProfilerHook() override;
  // Outermost: the window covers the other hooks' per-step work too.
  HookPriority priority() const override { return HookPriority::kVeryHigh; }
  absl::Status BeforeStep(int64_t iter) override;
  absl::Status AfterStep(const StepRecord& record) override;

 private:
  absl::Status Finish(int64_t steps);

  ProfilerOptions options_;
  bool enabled_;
  std::unique_ptr<OpRecorder> recorder_;  // while the window is open
  int64_t first_ = 0;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_PROFILER_HOOK_H_
