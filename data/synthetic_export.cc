#include "data/synthetic_export.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "data/image_io.h"
#include "zegclip/base/path_check.h"

namespace zegclip::data {
namespace {

absl::Status ValidateExport(const SyntheticExportOptions& options, const std::string& out_dir) {
  if (absl::Status s = ValidateSyntheticWorldOptions(options.world); !s.ok()) return s;
  if (options.splits.empty()) return absl::InvalidArgumentError("make-synthetic: no split to write");
  std::set<std::string> seen;
  for (const auto& [split, size] : options.splits) {
    // aug / train_aug mean SegmentationClassAug/ to the VOC reader; every other name is a list over
    // SegmentationClass/ (train, val, a calibration split such as "calib").
    const bool valid_name = !split.empty() && std::all_of(split.begin(), split.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!valid_name) {
      return absl::InvalidArgumentError("make-synthetic: split \"" + split + "\" must be a name of a-z, 0-9 and _");
    }
    if (split == "aug" || split == "train_aug") {
      return absl::InvalidArgumentError("make-synthetic: split \"" + split +
                                        "\" is read from SegmentationClassAug/ by the VOC reader; the export writes "
                                        "SegmentationClass/ (train, val, or another name)");
    }
    if (!seen.insert(split).second) {
      return absl::InvalidArgumentError("make-synthetic: split \"" + split + "\" given twice");
    }
    if (size < 1) {
      return absl::InvalidArgumentError(absl::StrCat("make-synthetic: split ", split, " needs >= 1 image, got ", size));
    }
  }
  if (options.jpeg_quality < 1 || options.jpeg_quality > 100) {
    return absl::InvalidArgumentError(absl::StrCat("make-synthetic: JPEG quality ", options.jpeg_quality,
                                                   " is not in [1, 100]"));
  }
  absl::StatusOr<base::PathType> type = base::TypeOf(out_dir, "make-synthetic: --out");
  if (!type.ok()) return type.status();
  if (*type == base::PathType::kMissing) return absl::OkStatus();
  absl::StatusOr<std::vector<std::string>> entries =
      *type == base::PathType::kDirectory ? base::ListDirectory(out_dir, "make-synthetic: --out")
                                        : absl::StatusOr<std::vector<std::string>>(std::vector<std::string>{"?"});
  if (!entries.ok()) return entries.status();
  if (!entries->empty()) {
    return absl::AlreadyExistsError("make-synthetic: " + out_dir +
                                    " exists and is not an empty folder (remove it or choose another --out)");
  }
  return absl::OkStatus();
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) return base::WriteError(path, errno);
  return absl::OkStatus();
}

absl::Status ExportSplit(const SyntheticExportOptions& options, const std::string& split, int64_t size,
                         const std::string& out_dir) {
  std::string list;
  for (int64_t index = 0; index < size; ++index) {
    const std::string id = SyntheticExportId(split, index);
    const Sample sample = RenderSyntheticScene(options.world, split, index).sample;
    absl::Status s = WriteRgbImage(absl::StrCat(out_dir, "/JPEGImages/", id, ".jpg"), sample.image,
                                   JpegOptions{options.jpeg_quality});
    if (s.ok()) {
      s = WriteIndexPng(absl::StrCat(out_dir, "/SegmentationClass/", id, ".png"), ToVocStoredLabels(sample.label),
                        &VocPalette());
    }
    if (!s.ok()) return s;
    absl::StrAppend(&list, id, "\n");
  }
  return WriteText(absl::StrCat(out_dir, "/ImageSets/Segmentation/", split, ".txt"), list);
}

}  // namespace

std::string SyntheticExportId(const std::string& split, int64_t index) {
  return absl::StrFormat("%s_%06d", split, index);
}

at::Tensor ToVocStoredLabels(const at::Tensor& labels) {
  // uint8 arithmetic: 255 + 1 wraps to 0, which is exactly VOC's background.
  return (labels.to(at::kByte) + 1).contiguous();
}

absl::Status ExportSyntheticWorld(const SyntheticExportOptions& options, const std::string& out_dir) {
  if (absl::Status s = ValidateExport(options, out_dir); !s.ok()) return s;
  for (const char* folder : {"/JPEGImages", "/SegmentationClass", "/ImageSets/Segmentation"}) {
    if (absl::Status s = base::CreateDirectories(out_dir + folder, "make-synthetic: folder"); !s.ok()) return s;
  }
  std::string names;
  for (const std::string& name : SyntheticLabelNames(options.world)) absl::StrAppend(&names, name, "\n");
  if (absl::Status s = WriteText(out_dir + "/classes.txt", names); !s.ok()) return s;
  for (const auto& [split, size] : options.splits) {
    if (absl::Status s = ExportSplit(options, split, size, out_dir); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace zegclip::data
