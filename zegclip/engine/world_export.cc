#include "zegclip/engine/world_export.h"

#include "absl/strings/str_cat.h"
#include "data/synthetic_export.h"
#include "data/synthetic_world.h"
#include "zegclip/engine/experiment_options.h"

namespace zegclip::engine {

absl::StatusOr<std::string> ExportExperimentWorld(const config::Experiment& experiment,
                                                  const std::string& experiment_file, const std::string& out_dir) {
  if (experiment.data().dataset() != config::SYNTHETIC) {
    return absl::InvalidArgumentError(
        absl::StrCat(experiment_file, ": data.dataset is ", config::DatasetKind_Name(experiment.data().dataset()),
                     "; make-synthetic writes the synthetic world of an experiment with data.dataset: SYNTHETIC"));
  }
  data::SyntheticExportOptions options;
  options.world = WorldOptionsFrom(experiment);
  const config::SyntheticWorldConfig& w = experiment.data().synthetic();
  options.splits = {{"train", w.train_images()}, {"val", w.val_images()}};
  const config::EvalConfig& eval = experiment.eval();
  const int64_t calibration_images = eval.calibration_images() > 0 ? eval.calibration_images() : w.val_images();
  if (!eval.calibration_split().empty()) options.splits.emplace_back(eval.calibration_split(), calibration_images);
  if (absl::Status s = data::ExportSyntheticWorld(options, out_dir); !s.ok()) return s;
  const std::string calibration =
      eval.calibration_split().empty() ? "" : absl::StrCat(" + ", calibration_images, " ", eval.calibration_split());
  return absl::StrCat("wrote ", w.train_images(), " train + ", w.val_images(), " val", calibration, " images (",
                      data::SyntheticLabelCount(options.world), " classes, ", w.image_size(), "x", w.image_size(),
                      ", seed ", experiment.seed(), ") to ", out_dir, " in the PASCAL VOC layout");
}

}  // namespace zegclip::engine
