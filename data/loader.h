// The parallel data loader: worker threads read and transform samples, whole batches are assembled ahead of the
// consumer in a bounded prefetch window, and Next() hands them out in a fixed order. The order and the content of
// every batch depend only on (seed, epoch, rank, world size, batch size), never on the worker count or timing:
// the sampler (distributed_sampler.h) fixes the indices, and each sample's transform gets SampleRng(seed, epoch,
// index). Iteration is by global step and runs over epochs forever (for iteration-based training) or for one
// epoch. A failed Get() or transform comes back from Next() as that batch's Status, naming the sample; later
// batches still arrive. Destruction stops and joins the workers without waiting for the rest of the epoch.
//
// Example:
//   LoaderOptions options;                 // batch 4, 2 workers, shuffled, infinite
//   auto loader = Loader::Create(dataset, TrainPipeline(transform_options), options);
//   for (int64_t step = 0; step < max_iters; ++step) {
//     absl::StatusOr<Batch> batch = (*loader)->Next();
//     if (!batch.ok()) return batch.status();
//     ...  // batch->images: float (B, 3, H, W); batch->labels: int64 (B, H, W)
//   }
#ifndef ZEGCLIP_DATA_LOADER_H_
#define ZEGCLIP_DATA_LOADER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "data/distributed_sampler.h"
#include "data/sample.h"
#include "data/sample_rng.h"

namespace zegclip::data {

// A pipeline (transforms.h's TrainPipeline / TestPipeline, or any callable of this shape).
using SampleTransform = std::function<absl::StatusOr<TransformedSample>(Sample, SampleRng&)>;

struct LoaderOptions {
  int64_t batch_size = 4;        // per rank
  int64_t num_workers = 2;       // 0: load on the caller's thread inside Next()
  int64_t prefetch_batches = 4;  // batches ready or in progress ahead of the consumer
  uint64_t seed = 0;
  bool shuffle = true;
  int64_t rank = 0;
  int64_t world_size = 1;
  // true: ranks get floor(N / world) samples and a final partial batch is dropped; false: ranks are padded to
  // ceil(N / world) by repeating samples and the final partial batch is kept.
  bool drop_last = true;
  bool infinite = true;      // false: stop (OutOfRange) at the end of the epoch holding start_step
  int64_t start_step = 0;    // first global batch index (resume: the iteration to continue from)
  bool pin_memory = false;   // page-locked batches when CUDA is available (ignored otherwise)
};

class Loader {
 public:
  static absl::StatusOr<std::unique_ptr<Loader>> Create(std::shared_ptr<const Dataset> dataset,
                                                        SampleTransform transform, LoaderOptions options);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // The next batch in step order; OutOfRange after the last one of a finite loader.
  absl::StatusOr<Batch> Next();

  int64_t batches_per_epoch() const { return batches_per_epoch_; }
  // Step and epoch of the batch the next Next() returns.
  int64_t step() const;
  int64_t epoch() const { return step() / batches_per_epoch_; }

 private:
  Loader(std::shared_ptr<const Dataset> dataset, SampleTransform transform, LoaderOptions options,
         DistributedSampler sampler, int64_t batches_per_epoch);

  absl::StatusOr<Batch> BuildBatch(int64_t step);
  absl::StatusOr<TransformedSample> LoadSample(int64_t index, int64_t epoch);
  std::shared_ptr<const std::vector<int64_t>> IndicesFor(int64_t epoch);
  void WorkerLoop();

  const std::shared_ptr<const Dataset> dataset_;
  const SampleTransform transform_;
  const LoaderOptions options_;
  const DistributedSampler sampler_;
  const int64_t batches_per_epoch_;
  const int64_t end_step_;  // one past the last step (INT64_MAX when infinite)

  mutable std::mutex mutex_;
  std::condition_variable work_cv_, ready_cv_;
  bool stop_ = false;
  int64_t next_claim_;     // next step a worker takes
  int64_t next_consume_;   // next step Next() returns
  std::map<int64_t, absl::StatusOr<Batch>> ready_;

  std::mutex cache_mutex_;
  std::map<int64_t, std::shared_ptr<const std::vector<int64_t>>> epoch_indices_;

  std::vector<std::thread> workers_;
};

// Stacks transformed samples (all of one size) into a Batch; names the odd one out otherwise.
absl::StatusOr<Batch> CollateBatch(std::vector<TransformedSample> samples, bool pin_memory);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_LOADER_H_
