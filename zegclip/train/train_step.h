// What the trainer asks of a model: one forward pass on one batch, returning the scalar loss to back-propagate and
// named scalars to log. The trainer owns everything else (zero_grad, backward, gradient averaging, clipping, the
// optimizer step, the learning rate, logging, checkpoints), so a model plugs in without knowing about any of it.
//
// Example:
//   class SegmentorStep : public TrainStep {
//    public:
//     StepOutput Step(const data::Batch& batch) override {
//       Losses l = model_->Loss(batch.images, batch.labels);
//       return {l.total, {{"loss_focal", l.focal.item<double>()}, {"loss_dice", l.dice.item<double>()}}};
//     }
//   };
//   trainer.Run(MakeStepFn(next_batch, &segmentor_step));
#ifndef ZEGCLIP_TRAIN_TRAIN_STEP_H_
#define ZEGCLIP_TRAIN_TRAIN_STEP_H_

#include <functional>
#include <map>
#include <string>

#include <ATen/ATen.h>

#include "absl/status/statusor.h"
#include "data/sample.h"

namespace zegclip::train {

struct StepOutput {
  at::Tensor loss;                        // a scalar; the trainer calls backward() on it
  std::map<std::string, double> scalars;  // logged as means over the interval and the ranks; same keys on every rank
};

// One training step's forward pass: fetches its batch and returns the loss. The trainer's generic entry point.
using StepFn = std::function<absl::StatusOr<StepOutput>()>;

// The next training batch (a data loader); an error status stops training with that message.
using BatchSource = std::function<absl::StatusOr<data::Batch>()>;

class TrainStep {
 public:
  virtual ~TrainStep() = default;
  virtual StepOutput Step(const data::Batch& batch) = 0;
};

// Joins a batch source and a TrainStep into a StepFn. `step` must outlive the returned function.
inline StepFn MakeStepFn(BatchSource next_batch, TrainStep* step) {
  return [next_batch = std::move(next_batch), step]() -> absl::StatusOr<StepOutput> {
    absl::StatusOr<data::Batch> batch = next_batch();
    if (!batch.ok()) return batch.status();
    return step->Step(*batch);
  };
}

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_TRAIN_STEP_H_
