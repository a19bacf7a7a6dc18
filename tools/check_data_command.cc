// `zegclip check-data --config=F [--set ...]`: checks the experiment's dataset at data.root (the train and val splits
// and eval.calibration_split) before a long run finds a bad file at iteration 40k. Prints the images per split, EVERY
// bad file with its reason (missing, unreadable, too large, corrupt, wrong size, out-of-range ids:
// data/dataset_check.h), and the class-pixel histogram of the good
// images split into seen and unseen classes (after the reader's mapping, e.g. VOC's k -> k - 1). Exit status 0 when
// every file is good, 1 when any is bad or a split cannot be listed, 2 on usage errors.
#include <iostream>

#include "tools/command.h"

#ifdef ZEGCLIP_WITHOUT_READERS

namespace zegclip::tools {
int RunCheckData(const CommandLine&) {
  std::cerr << "error: check-data decodes image files, which this build (no OpenCV) cannot\n";
  return 1;
}
}  // namespace zegclip::tools

#else

#include "absl/strings/str_format.h"
#include "tools/flags.h"
#include "zegclip/config/class_split.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/engine/data_check.h"

namespace zegclip::tools {

int RunCheckData(const CommandLine& command_line) {
  if (FLAGS_config.empty()) return UsageError("check-data", "--config=FILE is required");
  absl::StatusOr<config::Experiment> e = config::LoadExperiment(FLAGS_config, command_line.overrides);
  if (!e.ok()) return RuntimeError(e.status());
  if (e->data().root().empty()) {
    std::cerr << "error: data.root is empty: "
              << (e->data().dataset() == config::SYNTHETIC
                      ? "the synthetic world is rendered in memory; write it with `zegclip make-synthetic --out=DIR` "
                        "and check it with --set=data.root=DIR\n"
                      : "give the dataset folder with --set=data.root=DIR\n");
    return 1;
  }
  const absl::StatusOr<config::ClassSplit> classes = config::ResolveClassSplit(e->data());  // validated on load
  std::cout << "check-data: " << config::DatasetKind_Name(e->data().dataset()) << " at " << e->data().root() << ", "
            << classes->names.size() << " classes (" << classes->seen.size() << " seen, " << classes->unseen.size()
            << " unseen)\n";
  std::vector<std::string> unlisted;
  const std::vector<engine::CheckedSplit> splits = engine::CheckExperimentData(*e, &unlisted, std::cout);
  const int64_t bad_files = engine::CountBadFiles(splits);
  std::cout << engine::FormatBadFiles(splits);
  if (!splits.empty()) std::cout << engine::FormatClassHistogram(*classes, splits);
  if (bad_files == 0 && unlisted.empty()) {
    std::cout << "all files good\n";
    return 0;
  }
  std::cerr << "error: " << bad_files << " bad file(s)"
            << (unlisted.empty() ? "" : absl::StrFormat(" and %d split(s) that cannot be listed", unlisted.size()))
            << " (listed above)\n";
  return 1;
}

}  // namespace zegclip::tools

#endif  // ZEGCLIP_WITHOUT_READERS
