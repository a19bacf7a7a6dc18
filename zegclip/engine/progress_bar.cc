#include "zegclip/engine/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace zegclip::engine {
namespace {

std::string Duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::lround(std::max(0.0, seconds)));
  return s >= 60 ? absl::StrFormat("%dm%02ds", s / 60, s % 60) : absl::StrFormat("%ds", s);
}

}  // namespace

std::string FormatProgress(const std::string& label, int64_t done, int64_t total, double loss,
                           double seconds_per_iter) {
  constexpr int kWidth = 30;
  const int filled = total > 0 ? static_cast<int>(kWidth * done / total) : kWidth;
  std::string bar(filled, '=');
  if (filled < kWidth) bar += '>' + std::string(kWidth - filled - 1, ' ');
  return absl::StrFormat("%-8s [%s] %d/%d  loss %.4f  %.2f s/it  eta %s", label, bar, done, total, loss,
                         seconds_per_iter, Duration(seconds_per_iter * (total - done)));
}

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), terminal_(isatty(STDERR_FILENO) != 0) {}

absl::Status ProgressBar::AfterStep(const train::StepRecord& record) {
  if (!enabled_) return absl::OkStatus();
  const auto now = std::chrono::steady_clock::now();
  if (first_iter_ < 0) {  // timing starts after the first step (warm-up, resume)
    first_iter_ = record.iter;
    start_ = now;
  }
  smoothed_loss_ = first_iter_ == record.iter ? record.loss : 0.9 * smoothed_loss_ + 0.1 * record.loss;
  const int64_t timed = record.iter - first_iter_;
  const double per_iter = timed > 0 ? std::chrono::duration<double>(now - start_).count() / timed : record.seconds;
  const std::string line = FormatProgress(label_, record.iter, total_, smoothed_loss_, per_iter);
  if (terminal_) {
    std::fprintf(stderr, "\r%s%s", line.c_str(), record.iter >= total_ ? "\n" : "");
  } else {
    const int64_t decile = 10 * record.iter / std::max<int64_t>(1, total_);
    if (decile == last_decile_) return absl::OkStatus();
    last_decile_ = decile;
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
  return absl::OkStatus();
}

}  // namespace zegclip::engine
