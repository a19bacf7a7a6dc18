#include "zegclip/engine/data_check.h"

#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "zegclip/engine/dataset_factory.h"

namespace zegclip::engine {
namespace {

std::string Percent(int64_t part, int64_t whole) {
  return whole > 0 ? absl::StrFormat("%5.1f%%", 100.0 * part / whole) : std::string("    -");
}

void PrintClassRows(const std::string& title, const std::vector<int64_t>& ids, const config::ClassSplit& classes,
                    const std::vector<CheckedSplit>& splits, const std::vector<int64_t>& labelled,
                    std::ostream& out) {
  out << "  " << title << " (" << ids.size() << ")\n";
  for (int64_t c : ids) {
    out << absl::StrFormat("    %-28s", classes.names[c]);
    for (size_t s = 0; s < splits.size(); ++s) {
      const std::vector<int64_t>& pixels = splits[s].check.class_pixels;
      const int64_t count = c < static_cast<int64_t>(pixels.size()) ? pixels[c] : 0;
      out << absl::StrFormat(" %12d %s", count, Percent(count, labelled[s]));
    }
    out << "\n";
  }
}

}  // namespace

std::string FormatClassHistogram(const config::ClassSplit& classes, const std::vector<CheckedSplit>& splits) {
  std::ostringstream out;
  std::vector<int64_t> labelled;
  out << absl::StrFormat("class pixels of the good images (%% of labelled pixels)\n    %-28s", "");
  for (const CheckedSplit& s : splits) {
    int64_t sum = 0;
    for (int64_t p : s.check.class_pixels) sum += p;
    labelled.push_back(sum);
    out << absl::StrFormat(" %19s", s.role + " (" + s.name + ")");
  }
  out << "\n";
  PrintClassRows("seen classes", classes.seen, classes, splits, labelled, out);
  PrintClassRows("unseen classes", classes.unseen, classes, splits, labelled, out);
  out << absl::StrFormat("    %-28s", "ignore (255)");
  for (const CheckedSplit& s : splits) out << absl::StrFormat(" %12d %6s", s.check.ignore_pixels, "");
  out << "\n";
  return out.str();
}

namespace {

// (role, split name): train, val, and eval.calibration_split when set, each once.
std::vector<std::pair<std::string, std::string>> SplitRoles(const config::Experiment& e) {
  std::vector<std::pair<std::string, std::string>> roles = {{"train", e.data().train_split()}};
  if (e.data().val_split() != e.data().train_split()) roles.emplace_back("val", e.data().val_split());
  const std::string& calibration = e.eval().calibration_split();
  if (!calibration.empty() && calibration != e.data().train_split()) roles.emplace_back("calibration", calibration);
  return roles;
}

}  // namespace

std::vector<CheckedSplit> CheckExperimentData(const config::Experiment& e, std::vector<std::string>* unlisted,
                                              std::ostream& out) {
  std::vector<CheckedSplit> splits;
  for (const auto& [role, name] : SplitRoles(e)) {
    // The calibration split is read like the validation split, from its own file (engine::MakeCalibrationDataset).
    config::Experiment reading = e;
    if (role == "calibration") reading.mutable_data()->set_val_split(name);
    absl::StatusOr<std::unique_ptr<data::FolderDataset>> dataset =
        engine::MakeFolderDataset(reading, role == "train" ? "train" : "val", false);
    if (!dataset.ok()) {
      unlisted->push_back(role + " (" + name + "): " + std::string(dataset.status().message()));
      out << "  cannot list split " << unlisted->back() << "\n";
      continue;
    }
    splits.push_back({role, name, data::CheckFolderDataset(**dataset)});
    const data::DatasetCheck& c = splits.back().check;
    out << "  " << role << " (" << name << "): " << c.listed << " images listed, " << c.good << " good, "
        << (c.listed - c.good) << " with bad files\n";
  }
  return splits;
}

int64_t CountBadFiles(const std::vector<CheckedSplit>& splits) {
  int64_t bad = 0;
  for (const CheckedSplit& s : splits) bad += static_cast<int64_t>(s.check.bad.size());
  return bad;
}

std::string FormatBadFiles(const std::vector<CheckedSplit>& splits) {
  const int64_t bad = CountBadFiles(splits);
  std::string out = absl::StrCat("bad files (", bad, ")", bad ? ":" : "", "\n");
  for (const CheckedSplit& s : splits) {
    for (const data::BadFile& b : s.check.bad)
      absl::StrAppend(&out, "  ", b.path, ": ", b.reason, ": ", b.detail, "\n");
  }
  return out;
}

}  // namespace zegclip::engine
