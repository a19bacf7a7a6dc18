// PASCAL VOC 2012 (20 classes, background ignored), in the layout mmseg and ZegCLIP use:
//   <root>/JPEGImages/<id>.jpg
//   <root>/SegmentationClass/<id>.png            palette PNGs (train, val)
//   <root>/SegmentationClassAug/<id>.png         SBD-augmented labels (aug), palette or greyscale
//   <root>/ImageSets/Segmentation/{train,val,aug}.txt
// Labels: 0 (background) -> 255, 255 (object borders) -> 255, k -> k-1 (k <= 20, or options.num_classes: the same
// layout with another class list, e.g. the synthetic world written by `zegclip make-synthetic`, 36 classes).
//
// Example:
//   absl::StatusOr<std::unique_ptr<FolderDataset>> val = CreateVocDataset("/data/VOCdevkit/VOC2012", "val");
//   // splits: "train", "val", "aug" (aug.txt over SegmentationClassAug), "train_aug" (train + aug, ZegCLIP's);
//   // any other NAME reads ImageSets/Segmentation/NAME.txt over SegmentationClass (trainval, a held-out "calib").
#ifndef ZEGCLIP_DATA_VOC_DATASET_H_
#define ZEGCLIP_DATA_VOC_DATASET_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data/folder_dataset.h"

namespace zegclip::data {

absl::StatusOr<std::unique_ptr<FolderDataset>> CreateVocDataset(const std::string& root, const std::string& split,
                                                                 const FolderReaderOptions& options = {});

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_VOC_DATASET_H_
