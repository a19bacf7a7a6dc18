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
#include <utility>
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

// Maps the stored values of `labels` (uint8, contiguous) through `map` in place. Returns the stored values the map
// rejects with their pixel counts, ascending; empty when every pixel mapped (those pixels are left as stored).
std::vector<std::pair<int, int64_t>> ApplyLabelMap(const LabelMap& map, at::Tensor& labels);

// How a reader is built (VOC, COCO-Stuff, Context).
struct FolderReaderOptions {
  // Classes of the label map; 0 = the dataset's own count (VOC 20, COCO-Stuff 171, Context 59). Another count reads
  // a dataset of the same layout with its own class list (e.g. the synthetic world exported by make-synthetic).
  int num_classes = 0;
  // true: creation fails naming missing files. false: missing files are listed anyway and fail in Get(), one by one
  // (check-data reports them all; data.skip_bad_samples skips them).
  bool require_files = true;
};

class FolderDataset : public Dataset {
 public:
  FolderDataset(std::string name, std::vector<LabelledFile> files, LabelMap label_map)
      : name_(std::move(name)), files_(std::move(files)), label_map_(label_map) {}

  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const std::vector<LabelledFile>& files() const { return files_; }
  const std::string& name() const { return name_; }
  const LabelMap& label_map() const { return label_map_; }

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
// `requested` (0 = `own`) when a label map can hold it (1..max_classes), else InvalidArgument naming `dataset`.
absl::StatusOr<int> ReaderClassCount(const std::string& dataset, int requested, int own, int max_classes);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_FOLDER_DATASET_H_
