// A segmentation dataset of image/label file pairs on disk, the body shared by the VOC, COCO-Stuff and PASCAL
// Context readers: Get() decodes the image (OpenCV) and the label PNG as indices (libpng), then maps every stored
// label value through a 256-entry table (e.g. VOC: 0 background -> 255 ignore, k -> k-1). A stored value the table
// does not allow is an error naming the file, never a silent wrong label.
//
// Example:
//   FolderDataset ds("voc2012/val", {{"2007_000033", ".../JPEGImages/2007_000033.jpg",
//                                     ".../SegmentationClass/2007_000033.png"}}, ReduceZeroLabelMap(20));
//   absl::StatusOr<Sample> s = ds.Get(0);   // s->id == "2007_000033"
#ifndef ZEGCLIP_DATA_FOLDER_DATASET_H_
#define ZEGCLIP_DATA_FOLDER_DATASET_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/sample.h"

namespace zegclip::data {

struct LabelledFile {
  std::string id;
  std::string image_path;
  std::string label_path;
};

// stored label value -> class id in [0, C) or 255; -1 marks a value that must not occur.
using LabelMap = std::array<int16_t, 256>;

// mmseg's reduce_zero_label for `num_classes` classes: 0 -> 255, k -> k-1 (k <= num_classes), 255 -> 255.
LabelMap ReduceZeroLabelMap(int num_classes);
// Values 0..num_classes-1 kept, 255 kept.
LabelMap IdentityLabelMap(int num_classes);

class FolderDataset : public Dataset {
 public:
  FolderDataset(std::string name, std::vector<LabelledFile> files, LabelMap label_map)
      : name_(std::move(name)), files_(std::move(files)), label_map_(label_map) {}

  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const std::vector<LabelledFile>& files() const { return files_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<LabelledFile> files_;
  LabelMap label_map_;
};

// Helpers for the readers.
// The ids listed in a split file (one per line; blank lines and surrounding spaces ignored).
absl::StatusOr<std::vector<std::string>> ReadSplitFile(const std::string& path, const std::string& layout);
// NotFound naming `path` and the expected layout when `path` is not a directory.
absl::Status RequireDirectory(const std::string& path, const std::string& layout);
// NotFound listing the first missing files (up to 5) and how many there are.
absl::Status RequireFiles(const std::vector<LabelledFile>& files, const std::string& layout);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_FOLDER_DATASET_H_
