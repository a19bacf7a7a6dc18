// A training data loader whose position travels in the trainer's checkpoints: the hook saves the step of the next
// batch ("loader.step") with every checkpoint and, on resume, starts the loader there. The position comes from the
// checkpoint the trainer actually resumed from (rank 0's choice, every rank the same), not from a separate look at
// the work dir, so the batches after a restart are the ones the uninterrupted run would have drawn.
//
// Example:
//   auto loader = std::make_unique<ResumableLoader>(dataset, data::TrainPipeline(transforms), loader_options);
//   ResumableLoader* batches = loader.get();
//   trainer.AddHook(std::move(loader));
//   trainer.Run([batches] { return batches->Next(); }, step);
#ifndef ZEGCLIP_ENGINE_RESUMABLE_LOADER_H_
#define ZEGCLIP_ENGINE_RESUMABLE_LOADER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "data/loader.h"
#include "data/sample.h"
#include "zegclip/train/trainer_hook.h"

namespace zegclip::engine {

class ResumableLoader : public train::TrainerHook {
 public:
  static constexpr char kStepKey[] = "loader.step";

  // `options.start_step` is ignored: the loader starts where the run starts.
  ResumableLoader(std::shared_ptr<const data::Dataset> dataset, data::SampleTransform transform,
                  data::LoaderOptions options);

  // Restores the position saved in the checkpoint (a checkpoint without it, from an older build: the iteration).
  absl::Status RestoreState(const std::map<std::string, std::string>& metadata) override;
  // Creates the loader at the restored position, or at `start_iter`.
  absl::Status BeforeTrain(int64_t start_iter) override;
  void SaveState(std::map<std::string, std::string>* metadata) const override;

  // The next batch; an error before the run has started.
  absl::StatusOr<data::Batch> Next();

 private:
  std::shared_ptr<const data::Dataset> dataset_;
  data::SampleTransform transform_;
  data::LoaderOptions options_;
  std::optional<int64_t> restored_step_;
  std::unique_ptr<data::Loader> loader_;
};

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_RESUMABLE_LOADER_H_
