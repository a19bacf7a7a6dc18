#include "zegclip/train/profiler_hook.h"

#include <filesystem>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/train/op_profile.h"
#include "zegclip/train/op_recorder.h"
#include "zegclip/train/trainer.h"

namespace zegclip::train {

ProfilerHook::ProfilerHook(ProfilerOptions options, bool enabled) : options_(std::move(options)), enabled_(enabled) {}

ProfilerHook::~ProfilerHook() = default;  // a run that failed inside the window: the recorder stops

absl::Status ProfilerHook::BeforeStep(int64_t iter) {
  if (!enabled_ || recorder_ != nullptr || iter != options_.start || options_.steps <= 0) return absl::OkStatus();
  std::error_code ec;
  std::filesystem::create_directories(options_.out_dir, ec);
  if (ec)
    return absl::InternalError(absl::StrCat(options_.out_dir, ": cannot create the profile folder: ", ec.message()));
  recorder_ = std::make_unique<OpRecorder>();
  first_ = iter;
  return absl::OkStatus();
}

absl::Status ProfilerHook::AfterStep(const StepRecord& record) {
  if (recorder_ == nullptr) return absl::OkStatus();
  if (record.iter < first_ + options_.steps && record.iter < trainer().options().max_iters) return absl::OkStatus();
  return Finish(record.iter - first_);
}

absl::Status ProfilerHook::Finish(int64_t steps) {
  const std::vector<OpEvent> events = recorder_->Stop();
  recorder_.reset();
  const std::string trace = options_.out_dir + "/trace.json", table = options_.out_dir + "/ops.md";
  if (absl::Status s = WriteChromeTrace(events, trace); !s.ok()) return s;
  const std::string text = absl::StrCat("Op profile of training steps ", first_ + 1, "-", first_ + steps, "\n\n",
                                        FormatOpTable(SummarizeOps(events, steps), 30));
  if (absl::Status s = base::WriteFileAtomically(table, text); !s.ok()) return s;
  std::cout << "profile: " << table << " and " << trace << std::endl;
  return absl::OkStatus();
}

}  // namespace zegclip::train
