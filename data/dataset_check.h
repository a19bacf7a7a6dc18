// Checks every image/label pair a reader lists (`zegclip check-data`), never stopping at the first bad one: the image
// decodes, the label PNG reads as indices, both have one size, and every stored label value is one the reader maps
// to a class or to ignore. Each problem is a BadFile naming the file and why; the good pairs give a class-pixel
// histogram (after the reader's mapping, e.g. VOC's k -> k - 1).
//
// Example:
//   FolderReaderOptions reader;
//   reader.require_files = false;                        // list missing files too: they are reported, one by one
//   auto train = CreateVocDataset(root, "train", reader);
//   DatasetCheck check = CheckFolderDataset(**train);
//   for (const BadFile& bad : check.bad) std::cout << bad.path << ": " << bad.reason << ": " << bad.detail << "\n";
//   check.class_pixels[14];   // pixels of class 14 over the good pairs
#ifndef ZEGCLIP_DATA_DATASET_CHECK_H_
#define ZEGCLIP_DATA_DATASET_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "data/folder_dataset.h"

namespace zegclip::data {

// Why a file is bad.
inline constexpr char kMissingFile[] = "missing";
// Present but not readable by this process: permission denied, a symlink loop, a folder where a file belongs.
inline constexpr char kUnreadableFile[] = "unreadable";
// More pixels than one image may have (data/image_header.h), refused from its header before decoding.
inline constexpr char kTooLarge[] = "too large";
inline constexpr char kCorruptFile[] = "corrupt";
inline constexpr char kWrongSize[] = "wrong size";
inline constexpr char kOutOfRangeIds[] = "out-of-range ids";

struct BadFile {
  std::string path;
  std::string reason;  // one of the constants above
  std::string detail;  // what was found and what was expected
};

struct DatasetCheck {
  std::string name;                   // the reader's name, e.g. "voc2012/train"
  int64_t listed = 0;                 // image/label pairs the split lists
  int64_t good = 0;                   // pairs with no problem
  std::vector<BadFile> bad;           // in list order; a pair's image before its label
  int64_t num_classes = 0;            // class ids the reader's label map produces
  std::vector<int64_t> class_pixels;  // per class id, over the good pairs
  int64_t ignore_pixels = 0;          // pixels mapped to 255, over the good pairs
};

// Reads every pair of `dataset` (in parallel over `threads`, 0 = the machine's cores); the result does not depend on
// the thread count.
DatasetCheck CheckFolderDataset(const FolderDataset& dataset, int threads = 0);

// The stored values `map` accepts, as ranges: "0-36, 255".
std::string AcceptedLabelValues(const LabelMap& map);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_DATASET_CHECK_H_
