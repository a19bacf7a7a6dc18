// The class list and zero-shot split of an experiment, resolved from the config and the dataset catalog.
//
// Example:
//   absl::StatusOr<ClassSplit> split = ResolveClassSplit(experiment.data());
//   split->names[split->unseen[0]];   // "pottedplant" for VOC
#ifndef ZEGCLIP_CONFIG_CLASS_SPLIT_H_
#define ZEGCLIP_CONFIG_CLASS_SPLIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"

namespace zegclip::config {

struct ClassSplit {
  std::vector<std::string> names;  // label k is names[k]
  std::vector<int64_t> seen;       // label ids, ascending
  std::vector<int64_t> unseen;     // label ids, ascending
};

// The catalog key of a dataset kind ("voc2012", "coco_stuff", "pascal_context59", "synthetic").
std::string DatasetKey(DatasetKind kind);

// Errors name the field: an unknown or duplicated class, a class both seen and unseen, or seen ∪ unseen ≠ all.
absl::StatusOr<ClassSplit> ResolveClassSplit(const DataConfig& data);

}  // namespace zegclip::config

#endif  // ZEGCLIP_CONFIG_CLASS_SPLIT_H_
