// `zegclip make-synthetic --config=F --out=DIR [--set ...]`: writes the experiment's synthetic world (data.synthetic,
// seed) to DIR in PASCAL VOC's layout (data/synthetic_export.h): data.synthetic.train_images images as the train
// split, data.synthetic.val_images as val (change them with --set=data.synthetic.train_images=N, like any field), and
// eval.calibration_split's held-out stream when the experiment calibrates (eval.calibration_images images).
// Train or check on it with the same experiment and --set=data.root=DIR: the VOC reader reads it with the world's 36
// classes, and the labels come back exactly as rendered.
#include <gflags/gflags.h>

#include <iostream>

#include "tools/command.h"

DECLARE_string(out);  // segment_command.cc: the output folder

#ifdef ZEGCLIP_WITHOUT_READERS

namespace zegclip::tools {
int RunMakeSynthetic(const CommandLine&) {
  std::cerr << "error: make-synthetic writes JPEG images, which this build (no OpenCV) cannot\n";
  return 1;
}
}  // namespace zegclip::tools

#else

#include "absl/strings/str_cat.h"
#include "data/synthetic_export.h"
#include "zegclip/engine/experiment_options.h"
#include "tools/flags.h"
#include "zegclip/config/config_loader.h"

namespace zegclip::tools {

int RunMakeSynthetic(const CommandLine& command_line) {
  if (FLAGS_config.empty() || FLAGS_out.empty()) {
    std::cerr << "make-synthetic: --config=FILE and --out=DIR are required\n";
    return 2;
  }
  absl::StatusOr<config::Experiment> experiment = config::LoadExperiment(FLAGS_config, command_line.overrides);
  if (!experiment.ok()) return RuntimeError(experiment.status());
  if (experiment->data().dataset() != config::SYNTHETIC) {
    std::cerr << "error: " << FLAGS_config << ": data.dataset is "
              << config::DatasetKind_Name(experiment->data().dataset())
              << "; make-synthetic writes the synthetic world of an experiment with data.dataset: SYNTHETIC\n";
    return 1;
  }
  data::SyntheticExportOptions options;
  options.world = engine::WorldOptionsFrom(*experiment);
  const config::SyntheticWorldConfig& w = experiment->data().synthetic();
  options.splits = {{"train", w.train_images()}, {"val", w.val_images()}};
  // The held-out calibration stream too, so that the same experiment with --set=data.root=DIR finds every split it
  // reads (its images: eval.calibration_images, 0 = as many as val, as the in-memory world renders it).
  const config::EvalConfig& eval = experiment->eval();
  const int64_t calibration_images = eval.calibration_images() > 0 ? eval.calibration_images() : w.val_images();
  if (!eval.calibration_split().empty()) options.splits.emplace_back(eval.calibration_split(), calibration_images);
  absl::Status status = data::ExportSyntheticWorld(options, FLAGS_out);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  const std::string calibration = eval.calibration_split().empty()
                                      ? ""
                                      : absl::StrCat(" + ", calibration_images, " ", eval.calibration_split());
  std::cout << "wrote " << w.train_images() << " train + " << w.val_images() << " val" << calibration << " images ("
            << data::SyntheticClassCount() << " classes, " << w.image_size() << "x" << w.image_size() << ", seed "
            << experiment->seed() << ") to " << FLAGS_out << " in the PASCAL VOC layout\n"
            << "  use it with --config=" << FLAGS_config << " --set=data.root=" << FLAGS_out << "\n";
  return 0;
}

}  // namespace zegclip::tools

#endif  // ZEGCLIP_WITHOUT_READERS
