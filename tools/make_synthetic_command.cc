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

#include "tools/flags.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/engine/world_export.h"

namespace zegclip::tools {

int RunMakeSynthetic(const CommandLine& command_line) {
  if (FLAGS_config.empty() || FLAGS_out.empty()) {
    return UsageError("make-synthetic", "--config=FILE and --out=DIR are required");
  }
  absl::StatusOr<config::Experiment> experiment = config::LoadExperiment(FLAGS_config, command_line.overrides);
  if (!experiment.ok()) return RuntimeError(experiment.status());
  absl::StatusOr<std::string> summary = engine::ExportExperimentWorld(*experiment, FLAGS_config, FLAGS_out);
  if (!summary.ok()) return RuntimeError(summary.status());
  std::cout << *summary << "\n  use it with --config=" << FLAGS_config << " --set=data.root=" << FLAGS_out << "\n";
  return 0;
}

}  // namespace zegclip::tools

#endif  // ZEGCLIP_WITHOUT_READERS
