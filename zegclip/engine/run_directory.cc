#include "zegclip/engine/run_directory.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/report/run_manifest.h"

namespace zegclip::engine {
namespace {

nlohmann::json Number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

}  // namespace

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

absl::Status WriteEvalJson(const std::string& path, const eval::EvalResult& result,
                           const std::vector<std::string>& class_names, const std::vector<int64_t>& seen,
                           const std::map<std::string, std::string>& extra) {
  const eval::SegmentationMetrics& m = result.metrics;
  nlohmann::ordered_json j;
  j["pAcc"] = Number(m.pixel_accuracy);
  j["mAcc"] = Number(m.mean_accuracy);
  j["mIoU"] = Number(m.miou);
  j["mIoU_seen"] = Number(m.miou_seen);
  j["mIoU_unseen"] = Number(m.miou_unseen);
  j["hIoU"] = Number(m.hiou);
  j["images"] = result.images;
  j["classes"] = nlohmann::json::array();
  for (size_t k = 0; k < class_names.size(); ++k) {
    const bool is_seen = std::find(seen.begin(), seen.end(), static_cast<int64_t>(k)) != seen.end();
    j["classes"].push_back({{"name", class_names[k]},
                            {"seen", is_seen},
                            {"iou", Number(k < m.class_iou.size() ? m.class_iou[k] : NAN)},
                            {"acc", Number(k < m.class_accuracy.size() ? m.class_accuracy[k] : NAN)}});
  }
  for (const auto& [key, value] : extra) j[key] = value;
  return base::WriteFileAtomically(path, j.dump(2) + "\n");
}

std::string FormatMetrics(const eval::SegmentationMetrics& m) {
  return absl::StrFormat("  pAcc %5.1f | mIoU %5.1f | mIoU(S) %5.1f | mIoU(U) %5.1f | hIoU %5.1f", m.pixel_accuracy,
                         m.miou, m.miou_seen, m.miou_unseen, m.hiou);
}

}  // namespace zegclip::engine
