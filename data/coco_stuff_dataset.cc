#include "data/coco_stuff_dataset.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "zegclip/base/path_check.h"

namespace zegclip::data {
namespace {
constexpr char kLayout[] =
    "<root>/images/<split>2017/<id>.jpg and <root>/annotations/<split>2017/<id>_labelTrainIds.png";
constexpr int kClasses = 171;
}  // namespace

absl::StatusOr<std::unique_ptr<FolderDataset>> CreateCocoStuffDataset(const std::string& root,
                                                                      const std::string& split,
                                                                      const FolderReaderOptions& options) {
  absl::StatusOr<int> classes = ReaderClassCount("coco_stuff", options.num_classes, kClasses, 255);
  if (!classes.ok()) return classes.status();
  if (split != "train" && split != "val") {
    return absl::InvalidArgumentError("coco_stuff: unknown split \"" + split + "\" (known: train, val)");
  }
  const std::string images = absl::StrCat(root, "/images/", split, "2017");
  const std::string labels = absl::StrCat(root, "/annotations/", split, "2017");
  if (absl::Status s = RequireDirectory(images, kLayout); !s.ok()) return s;
  if (absl::Status s = RequireDirectory(labels, kLayout); !s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> names = base::ListDirectory(images, "image folder");
  if (!names.ok()) return names.status();
  std::vector<std::string> stems;
  for (const std::string& name : *names) {
    if (!absl::EndsWith(name, ".jpg") || name.size() == 4) continue;
    // Folders named *.jpg are no images; an entry that cannot be inspected (a symlink loop) stays listed, so
    // check-data reports it and data.skip_bad_samples skips it.
    absl::StatusOr<base::PathType> type = base::TypeOf(absl::StrCat(images, "/", name), "image file");
    if (type.ok() && *type == base::PathType::kDirectory) continue;
    stems.push_back(name.substr(0, name.size() - 4));
  }
  if (stems.empty()) return absl::NotFoundError(absl::StrCat("no .jpg images in ", images, " (expected layout: ",
                                                             kLayout, ")"));
  std::sort(stems.begin(), stems.end());
  std::vector<LabelledFile> files;
  for (const std::string& stem : stems) {
    files.push_back({stem, absl::StrCat(images, "/", stem, ".jpg"), absl::StrCat(labels, "/", stem,
                                                                                 "_labelTrainIds.png")});
  }
  if (options.require_files) {
    if (absl::Status s = RequireFiles(files, kLayout); !s.ok()) return s;
  }
  return std::make_unique<FolderDataset>("coco_stuff/" + split, std::move(files), IdentityLabelMap(*classes));
}

}  // namespace zegclip::data
