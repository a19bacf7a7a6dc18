#include "zegclip/train/lr_schedule.h"

#include <cmath>
#include <string>

#include <c10/util/Exception.h>

#include "absl/strings/str_cat.h"

namespace zegclip::train {

absl::Status ValidateLrScheduleOptions(const LrScheduleOptions& o) {
  if (o.max_iters <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("lr schedule: max_iters must be > 0 (got ", o.max_iters, ")"));
  }
  if (o.warmup_iters < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("lr schedule: warmup_iters must be >= 0 (got ", o.warmup_iters, ")"));
  }
  if (o.warmup_iters > 0 && !(o.warmup_ratio > 0 && o.warmup_ratio <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("lr schedule: warmup_ratio must be in (0, 1] (got ", o.warmup_ratio, ")"));
  }
  if (!(o.power >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("lr schedule: power must be >= 0 (got ", o.power, ")"));
  }
  if (!(o.min_lr >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("lr schedule: min_lr must be >= 0 (got ", o.min_lr, ")"));
  }
  return absl::OkStatus();
}

LrSchedule::LrSchedule(LrScheduleOptions options) : options_(options) {
  const absl::Status status = ValidateLrScheduleOptions(options_);
  TORCH_CHECK(status.ok(), std::string(status.message()));
}

double LrSchedule::RegularLrAt(int64_t iter, double base_lr) const {
  const double progress = static_cast<double>(iter) / static_cast<double>(options_.max_iters);
  switch (options_.policy) {
    case LrPolicy::kPoly:
      return (base_lr - options_.min_lr) * std::pow(1.0 - progress, options_.power) + options_.min_lr;
    case LrPolicy::kCosine:
      // mmcv's annealing_cos(start=base, end=min_lr, factor=progress).
      return options_.min_lr + 0.5 * (base_lr - options_.min_lr) * (std::cos(M_PI * progress) + 1.0);
    case LrPolicy::kConstant:
      return base_lr;
  }
  return base_lr;
}

double LrSchedule::WarmupFactor(int64_t iter) const {
  if (options_.warmup_iters <= 0 || iter >= options_.warmup_iters) return 1.0;
  const double k = (1.0 - static_cast<double>(iter) / static_cast<double>(options_.warmup_iters)) *
                   (1.0 - options_.warmup_ratio);
  return 1.0 - k;
}

double LrSchedule::LrAt(int64_t iter, double base_lr) const {
  return RegularLrAt(iter, base_lr) * WarmupFactor(iter);
}

}  // namespace zegclip::train
