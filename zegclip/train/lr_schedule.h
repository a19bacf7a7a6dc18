// Learning-rate schedules of the mmcv/mmseg runner, by iteration: poly, cosine and constant, each with an optional
// linear warm-up. The formulas are mmcv's PolyLrUpdaterHook / CosineAnnealingLrUpdaterHook / FixedLrUpdaterHook with
// warmup='linear' (by_epoch=False), so a run reproduces the released ZegCLIP configs step for step:
//
//   poly:      regular(i) = (base - min_lr) * (1 - i / max_iters)^power + min_lr
//   cosine:    regular(i) = min_lr + (base - min_lr) * (cos(pi * i / max_iters) + 1) / 2
//   constant:  regular(i) = base
//   warm-up:   for i < warmup_iters, lr(i) = regular(i) * (1 - k), k = (1 - i / warmup_iters) * (1 - warmup_ratio)
//
// `i` counts completed iterations (mmcv's runner.iter in before_train_iter): the first step uses i = 0. `base` is the
// parameter group's own lr (base lr x its lr multiplier), and min_lr is absolute, as in mmcv.
//
// Example (the ZegCLIP VOC recipe):
//   LrSchedule schedule({LrPolicy::kPoly, /*max_iters=*/20000, /*power=*/0.9, /*min_lr=*/1e-6,
//                        /*warmup_iters=*/1500, /*warmup_ratio=*/1e-6});
//   double lr = schedule.LrAt(iter, 2e-5 * 10);   // head group, lr_mult 10
#ifndef ZEGCLIP_TRAIN_LR_SCHEDULE_H_
#define ZEGCLIP_TRAIN_LR_SCHEDULE_H_

#include <cstdint>

#include "absl/status/status.h"

namespace zegclip::train {

enum class LrPolicy { kPoly, kCosine, kConstant };

struct LrScheduleOptions {
  LrPolicy policy = LrPolicy::kPoly;
  int64_t max_iters = 20000;
  double power = 0.9;         // poly only
  double min_lr = 1e-6;       // poly and cosine: the lr reached at max_iters
  int64_t warmup_iters = 0;   // 0: no warm-up
  double warmup_ratio = 1e-6; // the warm-up starts at ratio x regular lr
};

// OK, or InvalidArgument naming the offending field (max_iters > 0, warmup_iters >= 0, 0 < warmup_ratio <= 1 when
// warming up, power >= 0, min_lr >= 0).
absl::Status ValidateLrScheduleOptions(const LrScheduleOptions& options);

class LrSchedule {
 public:
  // The options must be valid (ValidateLrScheduleOptions); invalid ones throw c10::Error.
  explicit LrSchedule(LrScheduleOptions options);

  // The learning rate of a group whose own base lr is `base_lr`, before step `iter` (0-based).
  double LrAt(int64_t iter, double base_lr) const;
  // The schedule without warm-up.
  double RegularLrAt(int64_t iter, double base_lr) const;
  // The warm-up multiplier (1 after warm-up).
  double WarmupFactor(int64_t iter) const;

  const LrScheduleOptions& options() const { return options_; }

 private:
  LrScheduleOptions options_;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_LR_SCHEDULE_H_
