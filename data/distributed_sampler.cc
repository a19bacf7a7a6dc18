#include "data/distributed_sampler.h"

#include <numeric>

#include "absl/strings/str_cat.h"
#include "data/sample_rng.h"

namespace zegclip::data {
namespace {
// Keeps the shuffle stream apart from the per-sample augmentation streams keyed by (seed, epoch, index).
constexpr uint64_t kShuffleSalt = 0x53485546464C45ULL;  // "SHUFFLE"
}  // namespace

absl::StatusOr<DistributedSampler> DistributedSampler::Create(int64_t dataset_size, SamplerOptions options) {
  if (options.world_size < 1 || options.rank < 0 || options.rank >= options.world_size) {
    return absl::InvalidArgumentError(absl::StrCat("sampler: need 0 <= rank < world_size, got rank ", options.rank,
                                                   " of ", options.world_size));
  }
  if (dataset_size < 0) return absl::InvalidArgumentError(absl::StrCat("sampler: dataset size ", dataset_size));
  const int64_t world = options.world_size;
  const int64_t per_rank = options.drop_last ? dataset_size / world : (dataset_size + world - 1) / world;
  return DistributedSampler(dataset_size, options, per_rank);
}

std::vector<int64_t> DistributedSampler::EpochOrder(int64_t epoch) const {
  if (!options_.shuffle) {
    std::vector<int64_t> order(dataset_size_);
    std::iota(order.begin(), order.end(), 0);
    return order;
  }
  SampleRng rng(options_.seed ^ kShuffleSalt, static_cast<uint64_t>(epoch), kShuffleSalt);
  return RandomPermutation(dataset_size_, rng);
}

std::vector<int64_t> DistributedSampler::EpochIndices(int64_t epoch) const {
  std::vector<int64_t> order = EpochOrder(epoch);
  const int64_t total = num_samples_ * options_.world_size;
  // Padding repeats the order from its start (as often as needed for tiny datasets).
  for (int64_t i = 0; static_cast<int64_t>(order.size()) < total && dataset_size_ > 0; ++i) {
    const int64_t repeated = order[i];
    order.push_back(repeated);
  }
  std::vector<int64_t> mine;
  mine.reserve(num_samples_);
  for (int64_t i = options_.rank; i < total; i += options_.world_size) mine.push_back(order[i]);
  return mine;
}

}  // namespace zegclip::data
