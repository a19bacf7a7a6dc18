#include "data/bad_sample_policy.h"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace zegclip::data {
namespace {

constexpr char kHint[] = " (`zegclip check-data` lists every bad file; data.skip_bad_samples: true skips them)";

void ReportToStderr(const std::string& message) {
  static std::mutex mutex;  // one whole line at a time from concurrent loader workers
  std::lock_guard<std::mutex> lock(mutex);
  std::cerr << "warning: " << message << "\n";
}

class StopOnBadSample : public Dataset {
 public:
  explicit StopOnBadSample(std::shared_ptr<const Dataset> inner) : inner_(std::move(inner)) {}
  int64_t size() const override { return inner_->size(); }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    absl::StatusOr<Sample> sample = inner_->Get(index);
    if (sample.ok() || sample.status().code() == absl::StatusCode::kOutOfRange) return sample;
    return absl::Status(sample.status().code(), absl::StrCat(sample.status().message(), kHint));
  }

 private:
  std::shared_ptr<const Dataset> inner_;
};

class NextGoodSample : public Dataset {
 public:
  NextGoodSample(std::shared_ptr<const Dataset> inner, BadSampleReporter report)
      : inner_(std::move(inner)), report_(std::move(report)), bad_(inner_->size(), 0) {}
  int64_t size() const override { return inner_->size(); }

  absl::StatusOr<Sample> Get(int64_t index) const override {
    const int64_t n = size();
    if (index < 0 || index >= n) return inner_->Get(index);  // the reader's own range error
    absl::Status first_error;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t j = (index + k) % n;
      if (IsKnownBad(j)) continue;
      absl::StatusOr<Sample> sample = inner_->Get(j);
      if (sample.ok()) return sample;
      if (first_error.ok()) first_error = sample.status();
      MarkBad(j, sample.status());
    }
    return absl::Status(absl::StatusCode::kDataLoss,
                        absl::StrCat("every one of the ", n, " samples is bad (data.skip_bad_samples: true), e.g. ",
                                     first_error.ok() ? "see the warnings above" : first_error.message()));
  }

 private:
  bool IsKnownBad(int64_t index) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bad_[index] != 0;
  }
  void MarkBad(int64_t index, const absl::Status& status) const {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (bad_[index]) return;  // another worker reported it
      bad_[index] = 1;
    }
    report_(absl::StrCat("skipping bad sample ", index, " (the next good one takes its place): ", status.message()));
  }

  std::shared_ptr<const Dataset> inner_;
  BadSampleReporter report_;
  mutable std::mutex mutex_;
  mutable std::vector<char> bad_;
};

class DropBadSamples : public Dataset {
 public:
  DropBadSamples(std::shared_ptr<const Dataset> inner, std::vector<int64_t> good)
      : inner_(std::move(inner)), good_(std::move(good)) {}
  int64_t size() const override { return static_cast<int64_t>(good_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    if (index < 0 || index >= size()) {
      return absl::OutOfRangeError(absl::StrCat("index ", index, " out of range [0, ", size(), ") of the ",
                                                size(), " good samples"));
    }
    return inner_->Get(good_[index]);
  }

 private:
  std::shared_ptr<const Dataset> inner_;
  std::vector<int64_t> good_;
};

// Reads every sample once (in parallel); the errors of the bad ones, by index.
std::vector<absl::Status> ScanAll(const Dataset& dataset, int threads) {
  const int64_t n = dataset.size();
  std::vector<absl::Status> errors(n);
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, n)));
  std::atomic<int64_t> next{0};
  auto work = [&] {
    for (int64_t i = next++; i < n; i = next++) {
      try {  // an exception would end the process from a worker thread
        errors[i] = dataset.Get(i).status();
      } catch (const std::exception& e) {
        const std::string what = e.what();
        errors[i] = absl::InternalError(what.substr(0, what.find('\n')));
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return errors;
}

absl::StatusOr<std::shared_ptr<const Dataset>> DropBad(std::shared_ptr<const Dataset> dataset,
                                                       const BadSampleReporter& report, int threads) {
  const std::vector<absl::Status> errors = ScanAll(*dataset, threads);
  std::vector<int64_t> good;
  for (int64_t i = 0; i < static_cast<int64_t>(errors.size()); ++i) {
    if (errors[i].ok()) {
      good.push_back(i);
    } else {
      report(absl::StrCat("leaving out bad sample ", i, ": ", errors[i].message()));
    }
  }
  if (good.empty() && !errors.empty()) {
    return absl::DataLossError(absl::StrCat("every one of the ", errors.size(),
                                            " samples is bad (data.skip_bad_samples: true), e.g. ",
                                            errors[0].message()));
  }
  return std::shared_ptr<const Dataset>(std::make_shared<DropBadSamples>(std::move(dataset), std::move(good)));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Dataset>> WithBadSamplePolicy(std::shared_ptr<const Dataset> dataset,
                                                                   BadSamplePolicy policy, BadSampleReporter report,
                                                                   int threads) {
  if (dataset == nullptr) return absl::InvalidArgumentError("WithBadSamplePolicy: no dataset");
  if (!report) report = ReportToStderr;
  switch (policy) {
    case BadSamplePolicy::kStop:
      return std::shared_ptr<const Dataset>(std::make_shared<StopOnBadSample>(std::move(dataset)));
    case BadSamplePolicy::kNextGood:
      return std::shared_ptr<const Dataset>(std::make_shared<NextGoodSample>(std::move(dataset), std::move(report)));
    case BadSamplePolicy::kDrop:
      return DropBad(std::move(dataset), report, threads);
  }
  return absl::InvalidArgumentError("WithBadSamplePolicy: unknown policy");
}

}  // namespace zegclip::data
