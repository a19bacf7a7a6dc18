// `zegclip check-data`'s library half: every file of the splits an experiment reads (train, val and
// eval.calibration_split) checked before a long run finds a bad one at iteration 40k (data/dataset_check.h), and the
// class-pixel histogram of the good images, seen classes first (after the reader's mapping, e.g. VOC's k -> k - 1).
//
// Example:
//   std::vector<std::string> unlisted;
//   std::vector<CheckedSplit> splits = CheckExperimentData(experiment, &unlisted, std::cout);
//   std::cout << FormatClassHistogram(*classes, splits);
#ifndef ZEGCLIP_ENGINE_DATA_CHECK_H_
#define ZEGCLIP_ENGINE_DATA_CHECK_H_

#include <ostream>
#include <string>
#include <vector>

#include "data/dataset_check.h"
#include "zegclip/config/class_split.h"
#include "zegclip/config/experiment.pb.h"

namespace zegclip::engine {

struct CheckedSplit {
  std::string role;  // "train" / "val" / "calibration"
  std::string name;  // the reader's split name (data.train_split / data.val_split / eval.calibration_split)
  data::DatasetCheck check;
};

// Checks the splits the runs read, writing one count line per split to `out`; a split that cannot be listed goes to
// `unlisted` ("<role> (<name>): <why>").
std::vector<CheckedSplit> CheckExperimentData(const config::Experiment& experiment, std::vector<std::string>* unlisted,
                                              std::ostream& out);

// Pixels per class and split over the good images, seen classes first; percentages of the split's labelled pixels.
std::string FormatClassHistogram(const config::ClassSplit& classes, const std::vector<CheckedSplit>& splits);

// Every bad file of every split ("bad files (N):" then one "  path: reason: detail" line each).
std::string FormatBadFiles(const std::vector<CheckedSplit>& splits);
int64_t CountBadFiles(const std::vector<CheckedSplit>& splits);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_DATA_CHECK_H_
