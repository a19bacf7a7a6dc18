// `zegclip make-synthetic`: an experiment's synthetic world written to a folder in PASCAL VOC's layout
// (data/synthetic_export.h): data.synthetic.train_images images as the train split, val_images as val, and
// eval.calibration_split's held-out stream when the experiment calibrates (eval.calibration_images images, 0 = as
// many as val), so the same experiment with --set=data.root=DIR finds every split it reads.
//
// Example:
//   absl::StatusOr<std::string> summary = ExportExperimentWorld(experiment, "q.pbtxt", "/tmp/world");
#ifndef ZEGCLIP_ENGINE_WORLD_EXPORT_H_
#define ZEGCLIP_ENGINE_WORLD_EXPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"

namespace zegclip::engine {

// The line saying what was written, e.g. "wrote 2000 train + 200 val + 200 calib images (36 classes, 64x64, seed 0)".
// An experiment whose data.dataset is not SYNTHETIC is an error naming the field.
// `experiment_file` names the experiment in that error.
absl::StatusOr<std::string> ExportExperimentWorld(const config::Experiment& experiment,
                                                  const std::string& experiment_file, const std::string& out_dir);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_WORLD_EXPORT_H_
