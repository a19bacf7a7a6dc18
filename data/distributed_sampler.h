// Which dataset indices a rank reads in an epoch, as PyTorch's DistributedSampler: one shuffle shared by every rank
// (drawn from seed and epoch alone), then strided shards (rank r takes positions r, r + world, r + 2 world, ...).
// drop_last: cut the tail so every rank gets floor(N / world); otherwise repeat indices from the start so every rank
// gets ceil(N / world).
//
// Example:
//   auto sampler = DistributedSampler::Create(/*dataset_size=*/10, {.seed = 0, .rank = 1, .world_size = 3});
//   sampler->EpochIndices(/*epoch=*/2);   // 4 indices; ranks 0..2 together cover all 10 (two repeated)
#ifndef ZEGCLIP_DATA_DISTRIBUTED_SAMPLER_H_
#define ZEGCLIP_DATA_DISTRIBUTED_SAMPLER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace zegclip::data {

struct SamplerOptions {
  uint64_t seed = 0;
  bool shuffle = true;
  int64_t rank = 0;
  int64_t world_size = 1;
  bool drop_last = false;
};

class DistributedSampler {
 public:
  static absl::StatusOr<DistributedSampler> Create(int64_t dataset_size, SamplerOptions options);

  // Indices per rank per epoch.
  int64_t num_samples() const { return num_samples_; }
  // This rank's indices for `epoch`, in reading order.
  std::vector<int64_t> EpochIndices(int64_t epoch) const;
  // The shared order of all ranks before sharding (dataset_size long).
  std::vector<int64_t> EpochOrder(int64_t epoch) const;
  const SamplerOptions& options() const { return options_; }

 private:
  DistributedSampler(int64_t dataset_size, SamplerOptions options, int64_t num_samples)
      : dataset_size_(dataset_size), options_(options), num_samples_(num_samples) {}

  int64_t dataset_size_;
  SamplerOptions options_;
  int64_t num_samples_;
};

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_DISTRIBUTED_SAMPLER_H_
