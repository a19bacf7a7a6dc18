// PASCAL Context-59 (59 classes, background ignored), in mmseg's layout (VOC2010 with the Context labels):
//   <root>/JPEGImages/<id>.jpg
//   <root>/SegmentationClassContext/<id>.png        greyscale, 0 = background, 1..59 = classes
//   <root>/ImageSets/SegmentationContext/{train,val}.txt   (SegmentContext/ is accepted too)
// Labels: 0 -> 255, k -> k-1, 255 -> 255.
//
// Example:
//   absl::StatusOr<std::unique_ptr<FolderDataset>> val =
//       CreatePascalContextDataset("/data/VOCdevkit/VOC2010", "val");
#ifndef ZEGCLIP_DATA_PASCAL_CONTEXT_DATASET_H_
#define ZEGCLIP_DATA_PASCAL_CONTEXT_DATASET_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data/folder_dataset.h"

namespace zegclip::data {

// split: "train" or "val". options.num_classes: see folder_dataset.h.
absl::StatusOr<std::unique_ptr<FolderDataset>> CreatePascalContextDataset(const std::string& root,
                                                                          const std::string& split,
                                                                          const FolderReaderOptions& options = {});

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_PASCAL_CONTEXT_DATASET_H_
