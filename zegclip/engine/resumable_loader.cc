#include "zegclip/engine/resumable_loader.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace zegclip::engine {

ResumableLoader::ResumableLoader(std::shared_ptr<const data::Dataset> dataset, data::SampleTransform transform,
                                 data::LoaderOptions options)
    : dataset_(std::move(dataset)), transform_(std::move(transform)), options_(std::move(options)) {}

absl::Status ResumableLoader::RestoreState(const std::map<std::string, std::string>& metadata) {
  const auto it = metadata.find(kStepKey);
  if (it == metadata.end()) return absl::OkStatus();
  int64_t step = 0;
  if (!absl::SimpleAtoi(it->second, &step) || step < 0) {
    return absl::DataLossError(absl::StrCat("'", kStepKey, "' is \"", it->second, "\", expected a step >= 0"));
  }
  restored_step_ = step;
  return absl::OkStatus();
}

absl::Status ResumableLoader::BeforeTrain(int64_t start_iter) {
  data::LoaderOptions options = options_;
  options.start_step = restored_step_.value_or(start_iter);
  absl::StatusOr<std::unique_ptr<data::Loader>> loader = data::Loader::Create(dataset_, transform_, options);
  if (!loader.ok()) return loader.status();
  loader_ = std::move(*loader);
  return absl::OkStatus();
}

void ResumableLoader::SaveState(std::map<std::string, std::string>* metadata) const {
  if (loader_ != nullptr) (*metadata)[kStepKey] = absl::StrCat(loader_->step());
}

absl::StatusOr<data::Batch> ResumableLoader::Next() {
  if (loader_ == nullptr) return absl::FailedPreconditionError("the training loader is used before the run started");
  return loader_->Next();
}

}  // namespace zegclip::engine
