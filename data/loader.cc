#include "data/loader.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace zegclip::data {
namespace {

std::string ShapeOf(const at::Tensor& t) {
  std::string s = "(";
  for (int64_t i = 0; i < t.dim(); ++i) absl::StrAppend(&s, i ? ", " : "", t.size(i));
  return s + ")";
}

absl::Status Annotate(const absl::Status& status, const std::string& where) {
  return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
}

}  // namespace

absl::StatusOr<Batch> CollateBatch(std::vector<TransformedSample> samples, bool pin_memory) {
  if (samples.empty()) return absl::InvalidArgumentError("collate: empty batch");
  std::vector<at::Tensor> images, labels;
  Batch batch;
  for (TransformedSample& s : samples) {
    if (!s.image.defined() || !s.label.defined() || s.image.dim() != 3 || s.label.dim() != 2) {
      return absl::InvalidArgumentError(absl::StrCat("collate: sample ", s.id,
                                                     " is not a float (3, H, W) image with an (H, W) label"));
    }
    if (!s.image.sizes().equals(samples[0].image.sizes()) || !s.label.sizes().equals(samples[0].label.sizes())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "collate: sample ", s.id, " has image ", ShapeOf(s.image), " and label ", ShapeOf(s.label), " but ",
          samples[0].id, " has ", ShapeOf(samples[0].image), " and ", ShapeOf(samples[0].label),
          "; a batch needs one size (use a crop, or batch size 1 for whole test images)"));
    }
    images.push_back(s.image.to(at::kFloat));
    labels.push_back(s.label.to(at::kLong));
    batch.captions.push_back(std::move(s.caption));
    batch.ids.push_back(std::move(s.id));
    batch.caption_keys.push_back(std::move(s.caption_key));
  }
  batch.images = at::stack(images);
  batch.labels = at::stack(labels);
  if (pin_memory && at::hasCUDA()) {
    batch.images = batch.images.pin_memory();
    batch.labels = batch.labels.pin_memory();
  }
  return batch;
}

absl::StatusOr<std::unique_ptr<Loader>> Loader::Create(std::shared_ptr<const Dataset> dataset,
                                                       SampleTransform transform, LoaderOptions options) {
  if (dataset == nullptr || !transform) return absl::InvalidArgumentError("loader: no dataset or no transform");
  if (options.batch_size < 1 || options.num_workers < 0 || options.prefetch_batches < 1 || options.start_step < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "loader: need batch_size >= 1, num_workers >= 0, prefetch_batches >= 1, start_step >= 0; got ",
        options.batch_size, ", ", options.num_workers, ", ", options.prefetch_batches, ", ", options.start_step));
  }
  absl::StatusOr<DistributedSampler> sampler = DistributedSampler::Create(
      dataset->size(), {options.seed, options.shuffle, options.rank, options.world_size, options.drop_last});
  if (!sampler.ok()) return sampler.status();
  const int64_t per_rank = sampler->num_samples(), b = options.batch_size;
  const int64_t batches = options.drop_last ? per_rank / b : (per_rank + b - 1) / b;
  if (batches == 0) {
    return absl::InvalidArgumentError(absl::StrCat("loader: ", dataset->size(), " samples over ", options.world_size,
                                                   " rank(s) give no full batch of ", b,
                                                   " per rank (lower the batch size or give more samples)"));
  }
  return std::unique_ptr<Loader>(
      new Loader(std::move(dataset), std::move(transform), options, *std::move(sampler), batches));
}

Loader::Loader(std::shared_ptr<const Dataset> dataset, SampleTransform transform, LoaderOptions options,
               DistributedSampler sampler, int64_t batches_per_epoch)
    : dataset_(std::move(dataset)),
      transform_(std::move(transform)),
      options_(options),
      sampler_(std::move(sampler)),
      batches_per_epoch_(batches_per_epoch),
      end_step_(options.infinite ? std::numeric_limits<int64_t>::max()
                                 : (options.start_step / batches_per_epoch + 1) * batches_per_epoch),
      next_claim_(options.start_step),
      next_consume_(options.start_step) {
  for (int64_t i = 0; i < options_.num_workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_cv_.notify_all();
  ready_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

int64_t Loader::step() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return next_consume_;
}

absl::StatusOr<Batch> Loader::Next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (next_consume_ >= end_step_) {
    return absl::OutOfRangeError(absl::StrCat("loader: the epoch is over (", batches_per_epoch_, " batches)"));
  }
  const int64_t step = next_consume_++;
  if (workers_.empty()) {
    lock.unlock();
    return BuildBatch(step);
  }
  work_cv_.notify_all();  // the prefetch window moved
  ready_cv_.wait(lock, [&] { return ready_.count(step) > 0; });
  absl::StatusOr<Batch> batch = std::move(ready_.at(step));
  ready_.erase(step);
  return batch;
}

void Loader::WorkerLoop() {
  while (true) {
    int64_t step;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_cv_.wait(lock, [&] {
        return stop_ || (next_claim_ < end_step_ && next_claim_ < next_consume_ + options_.prefetch_batches);
      });
      if (stop_) return;
      step = next_claim_++;
    }
    absl::StatusOr<Batch> batch = BuildBatch(step);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
      ready_.emplace(step, std::move(batch));
    }
    ready_cv_.notify_all();
  }
}

std::shared_ptr<const std::vector<int64_t>> Loader::IndicesFor(int64_t epoch) {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  auto it = epoch_indices_.find(epoch);
  if (it != epoch_indices_.end()) return it->second;
  auto indices = std::make_shared<const std::vector<int64_t>>(sampler_.EpochIndices(epoch));
  epoch_indices_[epoch] = indices;
  // Workers straddle at most an epoch boundary or two: keep the few newest.
  while (epoch_indices_.size() > 3) epoch_indices_.erase(epoch_indices_.begin());
  return indices;
}

absl::StatusOr<TransformedSample> Loader::LoadSample(int64_t index, int64_t epoch) {
  try {
    absl::StatusOr<Sample> sample = dataset_->Get(index);
    if (!sample.ok()) return sample.status();
    SampleRng rng(options_.seed, static_cast<uint64_t>(epoch), static_cast<uint64_t>(index));
    return transform_(*std::move(sample), rng);
  } catch (const c10::Error& e) {  // a TORCH_CHECK in a transform must not take the worker down
    const std::string what = e.what_without_backtrace();
    return absl::InternalError(what.substr(0, what.find('\n')));
  } catch (const std::exception& e) {  // nor an allocation failure or a library's exception
    const std::string what = e.what();
    return absl::InternalError(what.substr(0, what.find('\n')));
  }
}

absl::StatusOr<Batch> Loader::BuildBatch(int64_t step) {
  const int64_t epoch = step / batches_per_epoch_, in_epoch = step % batches_per_epoch_;
  const std::shared_ptr<const std::vector<int64_t>> indices = IndicesFor(epoch);
  const int64_t begin = in_epoch * options_.batch_size;
  const int64_t end = std::min<int64_t>(begin + options_.batch_size, static_cast<int64_t>(indices->size()));
  std::vector<TransformedSample> samples;
  for (int64_t i = begin; i < end; ++i) {
    const int64_t index = (*indices)[i];
    absl::StatusOr<TransformedSample> s = LoadSample(index, epoch);
    if (!s.ok()) {
      return Annotate(s.status(), absl::StrCat("loader: sample index ", index, " (epoch ", epoch, ", step ", step,
                                               ")"));
    }
    samples.push_back(*std::move(s));
  }
  absl::StatusOr<Batch> batch = CollateBatch(std::move(samples), options_.pin_memory);
  if (!batch.ok()) return Annotate(batch.status(), absl::StrCat("loader: step ", step));
  return batch;
}

}  // namespace zegclip::data
