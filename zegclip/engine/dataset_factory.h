// The datasets an experiment reads: the synthetic world rendered in memory, or a reader of data.root (VOC 2012,
// COCO-Stuff, PASCAL Context-59, or the make-synthetic export through the VOC reader), with data.skip_bad_samples'
// policy applied.
//
// Example:
//   absl::StatusOr<std::shared_ptr<const data::Dataset>> val = MakeDataset(experiment, "val");
#ifndef ZEGCLIP_ENGINE_DATASET_FACTORY_H_
#define ZEGCLIP_ENGINE_DATASET_FACTORY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data/folder_dataset.h"
#include "data/sample.h"
#include "zegclip/config/experiment.pb.h"

namespace zegclip::engine {

// The dataset of a split ("train" or "val"): the synthetic world, or a reader of data.root (SYNTHETIC with a root:
// the make-synthetic export, through the VOC reader). Readers map labels to the experiment's class count and follow
// data.skip_bad_samples (data/bad_sample_policy.h). Errors name the path.
absl::StatusOr<std::shared_ptr<const data::Dataset>> MakeDataset(const config::Experiment& experiment,
                                                                 const std::string& split);

// The held-out split that chooses the seen-score offset (eval.calibration_split, which must be set): the synthetic
// world renders it as its own stream of eval.calibration_images images (0: data.synthetic.val_images); a reader of
// data.root reads the split file of that name exactly as it reads the validation split. Errors name the field.
absl::StatusOr<std::shared_ptr<const data::Dataset>> MakeCalibrationDataset(const config::Experiment& experiment);

// The reader of data.root for a split ("train" or "val"), with the experiment's class count. require_files = false
// lists missing files too (check-data reports them). Unimplemented in builds without the readers (no OpenCV).
absl::StatusOr<std::unique_ptr<data::FolderDataset>> MakeFolderDataset(const config::Experiment& experiment,
                                                                       const std::string& split, bool require_files);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_DATASET_FACTORY_H_
