// COCO-Stuff 164k (171 classes in mmseg's order, see class_catalog.h), in mmseg's converted layout:
//   <root>/images/{train2017,val2017}/<id>.jpg
//   <root>/annotations/{train2017,val2017}/<id>_labelTrainIds.png     greyscale, 0..170 and 255 = ignore
// Every image of the split folder is listed, sorted by name (mmseg scans the folder the same way).
//
// Example:
//   absl::StatusOr<std::unique_ptr<FolderDataset>> val = CreateCocoStuffDataset("/data/coco_stuff164k", "val");
#ifndef ZEGCLIP_DATA_COCO_STUFF_DATASET_H_
#define ZEGCLIP_DATA_COCO_STUFF_DATASET_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data/folder_dataset.h"

namespace zegclip::data {

// split: "train" or "val". options.num_classes: see folder_dataset.h.
absl::StatusOr<std::unique_ptr<FolderDataset>> CreateCocoStuffDataset(const std::string& root,
                                                                      const std::string& split,
                                                                      const FolderReaderOptions& options = {});

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_COCO_STUFF_DATASET_H_
