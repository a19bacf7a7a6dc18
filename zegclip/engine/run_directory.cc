#include "zegclip/engine/run_directory.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zegclip::engine {

absl::Status MakeDirectories(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::UnavailableError(absl::StrCat(prefix, ": cannot create directory"));
    }
  }
  return absl::OkStatus();
}

bool FileExists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

absl::StatusOr<std::string> RunConfigOf(const std::string& checkpoint) {
  const std::string beside = std::filesystem::path(checkpoint).parent_path().append("config.pbtxt").string();
  if (FileExists(beside)) return beside;
  return absl::InvalidArgumentError(absl::StrCat("--checkpoint=", checkpoint, ": no config.pbtxt beside it; ",
                                                 "give the experiment it was trained with as --config=F"));
}

absl::StatusOr<std::string> ExperimentFileOf(const std::string& config, const std::string& checkpoint,
                                             const std::string& authors_checkpoint) {
  if (!config.empty()) return config;
  if (!authors_checkpoint.empty()) {
    return absl::InvalidArgumentError(
        "--authors_checkpoint needs --config=F, the experiment it was trained with (templates, test resize, windows; "
        "e.g. experiments/voc_inductive.pbtxt): the checkpoint does not say, and a wrong guess segments silently "
        "worse");
  }
  return RunConfigOf(checkpoint);
}

report::EvalRecord EvalRecordOf(const eval::EvalResult& result, const std::vector<std::string>& class_names,
                                const std::vector<int64_t>& seen) {
  const eval::SegmentationMetrics& m = result.metrics;
  report::EvalRecord r;
  r.pixel_accuracy = m.pixel_accuracy;
  r.mean_accuracy = m.mean_accuracy;
  r.miou = m.miou;
  r.miou_seen = m.miou_seen;
  r.miou_unseen = m.miou_unseen;
  r.hiou = m.hiou;
  r.images = result.images;
  for (size_t k = 0; k < class_names.size(); ++k) {
    const bool is_seen = std::find(seen.begin(), seen.end(), static_cast<int64_t>(k)) != seen.end();
    r.classes.push_back({class_names[k], is_seen, k < m.class_iou.size() ? m.class_iou[k] : NAN,
                         k < m.class_accuracy.size() ? m.class_accuracy[k] : NAN});
  }
  return r;
}

std::string FormatMetrics(const report::EvalRecord& m) {
  return absl::StrFormat("  pAcc %5.1f | mIoU %5.1f | mIoU(S) %5.1f | mIoU(U) %5.1f | hIoU %5.1f", m.pixel_accuracy,
                         m.miou, m.miou_seen, m.miou_unseen, m.hiou);
}

}  // namespace zegclip::engine
