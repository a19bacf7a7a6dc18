#include "data/voc_dataset.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace zegclip::data {
namespace {

constexpr char kLayout[] =
    "<root>/JPEGImages/<id>.jpg, <root>/SegmentationClass/<id>.png (SegmentationClassAug/ for aug), "
    "<root>/ImageSets/Segmentation/<split>.txt";

// Appends the files of one split file whose labels live in `label_folder`.
absl::Status AddSplit(const std::string& root, const std::string& list, const std::string& label_folder,
                      std::vector<LabelledFile>* files) {
  if (absl::Status s = RequireDirectory(root + "/" + label_folder, kLayout); !s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> ids = ReadSplitFile(root + "/ImageSets/Segmentation/" + list, kLayout);
  if (!ids.ok()) return ids.status();
  for (const std::string& id : *ids) {
    files->push_back({id, absl::StrCat(root, "/JPEGImages/", id, ".jpg"),
                      absl::StrCat(root, "/", label_folder, "/", id, ".png")});
  }
  return absl::OkStatus();
}

// A split names a file in ImageSets/Segmentation/: no path separators, no "." or "..".
bool IsSplitName(const std::string& split) {
  return !split.empty() && split != "." && split != ".." && split.find('/') == std::string::npos &&
         split.find('\0') == std::string::npos;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FolderDataset>> CreateVocDataset(const std::string& root, const std::string& split,
                                                                 const FolderReaderOptions& options) {
  // Stored 1..C are classes, 0 and 255 are ignore: at most 254 classes.
  absl::StatusOr<int> classes = ReaderClassCount("voc2012", options.num_classes, 20, 254);
  if (!classes.ok()) return classes.status();
  if (absl::Status s = RequireDirectory(root + "/JPEGImages", kLayout); !s.ok()) return s;
  std::vector<LabelledFile> files;
  absl::Status status;
  if (split == "train" || split == "val") {
    status = AddSplit(root, split + ".txt", "SegmentationClass", &files);
  } else if (split == "aug") {
    status = AddSplit(root, "aug.txt", "SegmentationClassAug", &files);
  } else if (split == "train_aug") {
    status = AddSplit(root, "train.txt", "SegmentationClass", &files);
    if (status.ok()) status = AddSplit(root, "aug.txt", "SegmentationClassAug", &files);
  } else if (IsSplitName(split)) {
    // Any other list of SegmentationClass/ ids: VOC's own trainval, or a held-out calibration list ("calib").
    status = AddSplit(root, split + ".txt", "SegmentationClass", &files);
  } else {
    return absl::InvalidArgumentError("voc2012: split \"" + split +
                                      "\" is no file name (train, val, aug, train_aug, or NAME for "
                                      "ImageSets/Segmentation/NAME.txt)");
  }
  if (!status.ok()) return status;
  if (options.require_files) {
    if (absl::Status s = RequireFiles(files, kLayout); !s.ok()) return s;
  }
  return std::make_unique<FolderDataset>("voc2012/" + split, std::move(files), ReduceZeroLabelMap(*classes));
}

}  // namespace zegclip::data
