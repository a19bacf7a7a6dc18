#include "zegclip/config/class_split.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/class_catalog.h"

namespace zegclip::config {
namespace {

// Maps names to label ids, rejecting unknown names and duplicates; `field` names the config field in errors.
absl::StatusOr<std::vector<int64_t>> LookUp(const google::protobuf::RepeatedPtrField<std::string>& wanted,
                                            const std::map<std::string, int64_t>& ids, const std::string& field) {
  std::vector<int64_t> out;
  for (const std::string& name : wanted) {
    auto it = ids.find(name);
    if (it == ids.end()) {
      std::vector<std::string> known;
      for (const auto& [known_name, id] : ids) known.push_back(known_name);
      return absl::InvalidArgumentError(absl::StrCat(field, ": unknown class '", name, "' (classes: ",
                                                     absl::StrJoin(known, ", "), ")"));
    }
    if (std::find(out.begin(), out.end(), it->second) != out.end()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": class '", name, "' is listed twice"));
    }
    out.push_back(it->second);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string DatasetKey(DatasetKind kind) {
  switch (kind) {
    case VOC2012: return "voc2012";
    case COCO_STUFF: return "coco_stuff";
    case PASCAL_CONTEXT59: return "pascal_context59";
    case SYNTHETIC: return "synthetic";
  }
  return "unknown";
}

absl::StatusOr<ClassSplit> ResolveClassSplit(const DataConfig& data) {
  const data::DatasetClasses* catalog = data::FindDatasetClasses(DatasetKey(data.dataset()));
  ClassSplit split;
  split.names = data.classes().empty() ? catalog->names
                                       : std::vector<std::string>(data.classes().begin(), data.classes().end());
  std::map<std::string, int64_t> ids;
  for (size_t k = 0; k < split.names.size(); ++k) {
    if (!ids.emplace(split.names[k], k).second) {
      return absl::InvalidArgumentError(absl::StrCat("data.classes: class '", split.names[k], "' is listed twice"));
    }
  }
  absl::StatusOr<std::vector<int64_t>> unseen = LookUp(data.unseen_classes(), ids, "data.unseen_classes");
  if (!unseen.ok()) return unseen.status();
  split.unseen = *unseen;
  if (data.seen_classes().empty()) {
    for (int64_t k = 0; k < static_cast<int64_t>(split.names.size()); ++k) {
      if (!std::binary_search(split.unseen.begin(), split.unseen.end(), k)) split.seen.push_back(k);
    }
    return split;
  }
  absl::StatusOr<std::vector<int64_t>> seen = LookUp(data.seen_classes(), ids, "data.seen_classes");
  if (!seen.ok()) return seen.status();
  split.seen = *seen;
  std::vector<std::string> missing;
  for (size_t k = 0; k < split.names.size(); ++k) {
    const bool in_seen = std::binary_search(split.seen.begin(), split.seen.end(), k);
    const bool in_unseen = std::binary_search(split.unseen.begin(), split.unseen.end(), k);
    if (in_seen && in_unseen) {
      return absl::InvalidArgumentError(
          absl::StrCat("data.seen_classes: class '", split.names[k], "' is also in data.unseen_classes"));
    }
    if (!in_seen && !in_unseen) missing.push_back(split.names[k]);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("data.seen_classes: seen ∪ unseen must be every class; missing: ",
                                                   absl::StrJoin(missing, ", ")));
  }
  return split;
}

}  // namespace zegclip::config
