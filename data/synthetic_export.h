// Writes the synthetic world to disk in PASCAL VOC 2012's layout, so the real VOC reader, `zegclip check-data`
// and the loader benchmark run on it (`zegclip make-synthetic`):
//   <out>/JPEGImages/<split>_<index>.jpg            the rendered image, JPEG (quality 95 by default)
//   <out>/SegmentationClass/<split>_<index>.png     palette PNG in VOC's convention: 0 = background (the world's
//                                                   ignore), class k stored as k + 1
//   <out>/ImageSets/Segmentation/<split>.txt        the ids, in index order
//   <out>/classes.txt                               the class names, label k on line k + 1
// The VOC reader's mapping (0 -> ignore, k -> k - 1) with SyntheticClassCount() classes gives back exactly the
// world's labels; pixels come back within JPEG error. Everything is a pure function of the options (seed included).
//
// Example:
//   SyntheticExportOptions options;          // seed 0, train 2000 + val 200 images of 64x64
//   options.splits = {{"train", 8}, {"val", 4}};
//   absl::Status s = ExportSyntheticWorld(options, "/tmp/world");
//   FolderReaderOptions reader;
//   reader.num_classes = SyntheticClassCount();   // 36
//   auto train = CreateVocDataset("/tmp/world", "train", reader);   // 8 samples, labels as rendered
#ifndef ZEGCLIP_DATA_SYNTHETIC_EXPORT_H_
#define ZEGCLIP_DATA_SYNTHETIC_EXPORT_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "data/synthetic_world.h"

namespace zegclip::data {

struct SyntheticExportOptions {
  SyntheticWorldOptions world;
  // (split, images): "train", "val" or another stream of the world (e.g. the calibration split "calib"), each a
  // list the VOC reader reads over SegmentationClass/; the labels are the in-memory world's for that split name.
  std::vector<std::pair<std::string, int64_t>> splits = {{"train", 2000}, {"val", 200}};
  int jpeg_quality = 95;
};

// The id of image `index` of `split`: "train_000042".
std::string SyntheticExportId(const std::string& split, int64_t index);

// World labels (uint8, class id or 255 = ignore) -> the stored VOC values (k + 1, ignore -> 0).
at::Tensor ToVocStoredLabels(const at::Tensor& labels);

// Writes the splits into `out_dir`, which must not exist or be empty (a stale export could otherwise mix in).
absl::Status ExportSyntheticWorld(const SyntheticExportOptions& options, const std::string& out_dir);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_SYNTHETIC_EXPORT_H_
