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

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "data/dataset_check.h"
#include "zegclip/engine/dataset_factory.h"
#include "zegclip/engine/experiment_options.h"
#include "tools/flags.h"
#include "zegclip/config/class_split.h"
#include "zegclip/config/config_loader.h"

namespace zegclip::tools {
namespace {

struct CheckedSplit {
  std::string role;  // "train" / "val" / "calibration"
  std::string name;  // the reader's split name (data.train_split / data.val_split / eval.calibration_split)
  data::DatasetCheck check;
};

std::string Percent(int64_t part, int64_t whole) {
  return whole > 0 ? absl::StrFormat("%5.1f%%", 100.0 * part / whole) : std::string("    -");
}

void PrintClassRows(const std::string& title, const std::vector<int64_t>& ids, const config::ClassSplit& classes,
                    const std::vector<CheckedSplit>& splits, const std::vector<int64_t>& labelled) {
  std::cout << "  " << title << " (" << ids.size() << ")\n";
  for (int64_t c : ids) {
    std::cout << absl::StrFormat("    %-28s", classes.names[c]);
    for (size_t s = 0; s < splits.size(); ++s) {
      const std::vector<int64_t>& pixels = splits[s].check.class_pixels;
      const int64_t count = c < static_cast<int64_t>(pixels.size()) ? pixels[c] : 0;
      std::cout << absl::StrFormat(" %12d %s", count, Percent(count, labelled[s]));
    }
    std::cout << "\n";
  }
}

// Pixels per class and split over the good images, seen classes first; percentages of the split's labelled pixels.
void PrintHistogram(const config::ClassSplit& classes, const std::vector<CheckedSplit>& splits) {
  std::vector<int64_t> labelled;
  std::cout << absl::StrFormat("class pixels of the good images (%% of labelled pixels)\n    %-28s", "");
  for (const CheckedSplit& s : splits) {
    int64_t sum = 0;
    for (int64_t p : s.check.class_pixels) sum += p;
    labelled.push_back(sum);
    std::cout << absl::StrFormat(" %19s", s.role + " (" + s.name + ")");
  }
  std::cout << "\n";
  PrintClassRows("seen classes", classes.seen, classes, splits, labelled);
  PrintClassRows("unseen classes", classes.unseen, classes, splits, labelled);
  std::cout << absl::StrFormat("    %-28s", "ignore (255)");
  for (const CheckedSplit& s : splits) std::cout << absl::StrFormat(" %12d %6s", s.check.ignore_pixels, "");
  std::cout << "\n";
}

// (role, split name): train, val, and eval.calibration_split when set, each once.
std::vector<std::pair<std::string, std::string>> SplitRoles(const config::Experiment& e) {
  std::vector<std::pair<std::string, std::string>> roles = {{"train", e.data().train_split()}};
  if (e.data().val_split() != e.data().train_split()) roles.emplace_back("val", e.data().val_split());
  const std::string& calibration = e.eval().calibration_split();
  if (!calibration.empty() && calibration != e.data().train_split()) roles.emplace_back("calibration", calibration);
  return roles;
}

// Checks the splits the runs read (train, val, calibration), printing their counts; a split that cannot be listed
// goes to `unlisted`.
std::vector<CheckedSplit> CheckSplits(const config::Experiment& e, std::vector<std::string>* unlisted) {
  std::vector<CheckedSplit> splits;
  for (const auto& [role, name] : SplitRoles(e)) {
    // The calibration split is read like the validation split, from its own file (engine::MakeCalibrationDataset).
    config::Experiment reading = e;
    if (role == "calibration") reading.mutable_data()->set_val_split(name);
    absl::StatusOr<std::unique_ptr<data::FolderDataset>> dataset =
        engine::MakeFolderDataset(reading, role == "train" ? "train" : "val", false);
    if (!dataset.ok()) {
      unlisted->push_back(role + " (" + name + "): " + std::string(dataset.status().message()));
      std::cout << "  cannot list split " << unlisted->back() << "\n";
      continue;
    }
    splits.push_back({role, name, data::CheckFolderDataset(**dataset)});
    const data::DatasetCheck& c = splits.back().check;
    std::cout << "  " << role << " (" << name << "): " << c.listed << " images listed, " << c.good << " good, "
              << (c.listed - c.good) << " with bad files\n";
  }
  return splits;
}

}  // namespace

int RunCheckData(const CommandLine& command_line) {
  if (FLAGS_config.empty()) {
    std::cerr << "check-data: --config=FILE is required\n";
    return 2;
  }
  absl::StatusOr<config::Experiment> e = config::LoadExperiment(FLAGS_config, command_line.overrides);
  if (!e.ok()) {
    std::cerr << "error: " << e.status().message() << "\n";
    return 1;
  }
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
  const std::vector<CheckedSplit> splits = CheckSplits(*e, &unlisted);
  int64_t bad_files = 0;
  for (const CheckedSplit& s : splits) bad_files += static_cast<int64_t>(s.check.bad.size());
  std::cout << "bad files (" << bad_files << ")" << (bad_files ? ":" : "") << "\n";
  for (const CheckedSplit& s : splits) {
    for (const data::BadFile& b : s.check.bad) {
      std::cout << "  " << b.path << ": " << b.reason << ": " << b.detail << "\n";
    }
  }
  if (!splits.empty()) PrintHistogram(*classes, splits);
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
