// A progress bar for the trainer (rank 0): "[=====>    ] 120/300  loss 1.234  0.8 s/it  eta 2m24s". Redrawn in
// place on a terminal; on a pipe or log file one line every 10 %.
//
// Example:
//   trainer.AddHook(std::make_unique<ProgressBar>("train", options.max_iters, comm.is_main()));
#ifndef ZEGCLIP_ENGINE_PROGRESS_BAR_H_
#define ZEGCLIP_ENGINE_PROGRESS_BAR_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "zegclip/train/trainer.h"

namespace zegclip::engine {

// Formats one bar line (exposed for tests).
std::string FormatProgress(const std::string& label, int64_t done, int64_t total, double loss,
                           double seconds_per_iter);

class ProgressBar : public train::TrainerHook {
 public:
  ProgressBar(std::string label, int64_t total, bool enabled);
  absl::Status AfterStep(const train::StepRecord& record) override;

 private:
  std::string label_;
  int64_t total_;
  bool enabled_;
  bool terminal_;
  int64_t last_decile_ = -1;
  double smoothed_loss_ = 0;
  std::chrono::steady_clock::time_point start_;
  int64_t first_iter_ = -1;
};

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_PROGRESS_BAR_H_
