#include "data/pascal_context_dataset.h"

#include "absl/strings/str_cat.h"
#include "zegclip/base/path_check.h"

namespace zegclip::data {
namespace {
constexpr char kLayout[] =
    "<root>/JPEGImages/<id>.jpg, <root>/SegmentationClassContext/<id>.png, "
    "<root>/ImageSets/SegmentationContext/<split>.txt";
constexpr int kClasses = 59;
}  // namespace

absl::StatusOr<std::unique_ptr<FolderDataset>> CreatePascalContextDataset(const std::string& root,
                                                                          const std::string& split,
                                                                          const FolderReaderOptions& options) {
  absl::StatusOr<int> classes = ReaderClassCount("pascal_context59", options.num_classes, kClasses, 254);
  if (!classes.ok()) return classes.status();
  if (split != "train" && split != "val") {
    return absl::InvalidArgumentError("pascal_context59: unknown split \"" + split + "\" (known: train, val)");
  }
  if (absl::Status s = RequireDirectory(root + "/JPEGImages", kLayout); !s.ok()) return s;
  if (absl::Status s = RequireDirectory(root + "/SegmentationClassContext", kLayout); !s.ok()) return s;
  // mmseg's folder name first; some copies spell it SegmentContext.
  std::string list = absl::StrCat(root, "/ImageSets/SegmentationContext/", split, ".txt");
  const std::string alternative = absl::StrCat(root, "/ImageSets/SegmentContext/", split, ".txt");
  const auto missing = [](const std::string& path) {
    absl::StatusOr<base::PathType> type = base::TypeOf(path, "split file");
    return type.ok() && *type == base::PathType::kMissing;
  };
  if (missing(list) && !missing(alternative)) list = alternative;
  absl::StatusOr<std::vector<std::string>> ids = ReadSplitFile(list, kLayout);
  if (!ids.ok()) return ids.status();
  std::vector<LabelledFile> files;
  for (const std::string& id : *ids) {
    files.push_back({id, absl::StrCat(root, "/JPEGImages/", id, ".jpg"),
                     absl::StrCat(root, "/SegmentationClassContext/", id, ".png")});
  }
  if (options.require_files) {
    if (absl::Status s = RequireFiles(files, kLayout); !s.ok()) return s;
  }
  return std::make_unique<FolderDataset>("pascal_context59/" + split, std::move(files), ReduceZeroLabelMap(*classes));
}

}  // namespace zegclip::data
