#include "zegclip/engine/dataset_factory.h"

#include "absl/strings/str_cat.h"
#include "data/bad_sample_policy.h"
#ifndef ZEGCLIP_WITHOUT_READERS
#include "data/coco_stuff_dataset.h"
#include "data/pascal_context_dataset.h"
#include "data/voc_dataset.h"
#endif
#include "zegclip/config/class_split.h"
#include "zegclip/engine/experiment_options.h"

namespace zegclip::engine {

absl::StatusOr<std::unique_ptr<data::FolderDataset>> MakeFolderDataset(const config::Experiment& e,
                                                                       const std::string& split, bool require_files) {
#ifdef ZEGCLIP_WITHOUT_READERS
  return absl::UnimplementedError(absl::StrCat("data.dataset: ", config::DatasetKind_Name(e.data().dataset()),
                                               " at data.root needs the dataset readers, which this build (no OpenCV)",
                                               " lacks"));
#else
  const std::string& name = split == "train" ? e.data().train_split() : e.data().val_split();
  // The class list is the one source of the class count (validated on load): a VOC-layout folder of another
  // dataset (the synthetic world's 36 classes) maps its labels to it.
  absl::StatusOr<config::ClassSplit> classes = config::ResolveClassSplit(e.data());
  if (!classes.ok()) return classes.status();
  data::FolderReaderOptions options;
  options.num_classes = static_cast<int>(classes->names.size());
  options.require_files = require_files;
  switch (e.data().dataset()) {
    case config::VOC2012:
    case config::SYNTHETIC: return data::CreateVocDataset(e.data().root(), name, options);
    case config::COCO_STUFF: return data::CreateCocoStuffDataset(e.data().root(), name, options);
    case config::PASCAL_CONTEXT59: return data::CreatePascalContextDataset(e.data().root(), name, options);
  }
  return absl::InvalidArgumentError("data.dataset: unknown kind");
#endif
}

absl::StatusOr<std::shared_ptr<const data::Dataset>> MakeDataset(const config::Experiment& e,
                                                                 const std::string& split) {
  if (e.data().dataset() == config::SYNTHETIC && e.data().root().empty()) {
    const int64_t size = split == "train" ? e.data().synthetic().train_images() : e.data().synthetic().val_images();
    absl::StatusOr<std::unique_ptr<data::SyntheticWorldDataset>> world =
        data::SyntheticWorldDataset::Create(WorldOptionsFrom(e), split, size);
    if (!world.ok()) return world.status();
    return std::shared_ptr<const data::Dataset>(std::move(*world));
  }
  const bool skip = e.data().skip_bad_samples();
  // Skipping covers missing files too, so they are listed and fail one by one.
  absl::StatusOr<std::unique_ptr<data::FolderDataset>> dataset = MakeFolderDataset(e, split, /*require_files=*/!skip);
  if (!dataset.ok()) return dataset.status();
  const data::BadSamplePolicy policy = !skip             ? data::BadSamplePolicy::kStop
                                       : split == "train" ? data::BadSamplePolicy::kNextGood
                                                          : data::BadSamplePolicy::kDrop;
  return data::WithBadSamplePolicy(std::move(*dataset), policy);
}

absl::StatusOr<std::shared_ptr<const data::Dataset>> MakeCalibrationDataset(const config::Experiment& e) {
  const config::EvalConfig& eval = e.eval();
  if (eval.calibration_split().empty()) return absl::InvalidArgumentError("eval.calibration_split: empty");
  absl::StatusOr<std::shared_ptr<const data::Dataset>> dataset;
  if (e.data().dataset() == config::SYNTHETIC && e.data().root().empty()) {
    const int64_t size = eval.calibration_images() > 0 ? eval.calibration_images() : e.data().synthetic().val_images();
    absl::StatusOr<std::unique_ptr<data::SyntheticWorldDataset>> world =
        data::SyntheticWorldDataset::Create(WorldOptionsFrom(e), eval.calibration_split(), size);
    if (world.ok()) dataset = std::shared_ptr<const data::Dataset>(std::move(*world));
    else dataset = world.status();
  } else {
    // Read like the validation split (same reader, same bad-sample policy), from the calibration split's file.
    config::Experiment held_out = e;
    held_out.mutable_data()->set_val_split(eval.calibration_split());
    dataset = MakeDataset(held_out, "val");
  }
  if (!dataset.ok()) {
    return absl::Status(dataset.status().code(), absl::StrCat("eval.calibration_split '", eval.calibration_split(),
                                                              "': ", dataset.status().message()));
  }
  return dataset;
}

}  // namespace zegclip::engine
