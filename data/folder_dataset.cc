#include "data/folder_dataset.h"

#include <cerrno>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "data/image_io.h"
#include "zegclip/base/path_check.h"

namespace zegclip::data {

LabelMap ReduceZeroLabelMap(int num_classes) {
  LabelMap map;
  map.fill(-1);
  map[0] = static_cast<int16_t>(kIgnoreLabel);
  for (int k = 1; k <= num_classes && k < 255; ++k) map[k] = static_cast<int16_t>(k - 1);
  map[255] = static_cast<int16_t>(kIgnoreLabel);
  return map;
}

LabelMap IdentityLabelMap(int num_classes) {
  LabelMap map;
  map.fill(-1);
  for (int k = 0; k < num_classes && k < 255; ++k) map[k] = static_cast<int16_t>(k);
  map[255] = static_cast<int16_t>(kIgnoreLabel);
  return map;
}

std::vector<std::pair<int, int64_t>> ApplyLabelMap(const LabelMap& map, at::Tensor& labels) {
  std::array<int64_t, 256> rejected{};
  uint8_t* p = labels.data_ptr<uint8_t>();
  for (int64_t i = 0; i < labels.numel(); ++i) {
    const int16_t mapped = map[p[i]];
    if (mapped < 0) {
      ++rejected[p[i]];
    } else {
      p[i] = static_cast<uint8_t>(mapped);
    }
  }
  std::vector<std::pair<int, int64_t>> out;
  for (int v = 0; v < 256; ++v) {
    if (rejected[v] > 0) out.emplace_back(v, rejected[v]);
  }
  return out;
}

absl::StatusOr<Sample> FolderDataset::Get(int64_t index) const {
  if (index < 0 || index >= size()) {
    return absl::OutOfRangeError(absl::StrCat(name_, ": index ", index, " out of range [0, ", size(), ")"));
  }
  const LabelledFile& f = files_[index];
  auto annotate = [&](const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat(name_, " ", f.id, ": ", s.message()));
  };
  absl::StatusOr<at::Tensor> image = ReadRgbImage(f.image_path);
  if (!image.ok()) return annotate(image.status());
  absl::StatusOr<at::Tensor> stored = ReadIndexPng(f.label_path);
  if (!stored.ok()) return annotate(stored.status());
  if (stored->size(0) != image->size(0) || stored->size(1) != image->size(1)) {
    return absl::DataLossError(absl::StrCat(name_, " ", f.id, ": label ", f.label_path, " is ", stored->size(1), "x",
                                            stored->size(0), " but image ", f.image_path, " is ", image->size(1),
                                            "x", image->size(0)));
  }
  const std::vector<std::pair<int, int64_t>> rejected = ApplyLabelMap(label_map_, *stored);
  if (!rejected.empty()) {
    return absl::DataLossError(absl::StrCat(name_, " ", f.id, ": label ", f.label_path, " holds value ",
                                            rejected[0].first, " (", rejected[0].second, " px",
                                            rejected.size() > 1 ? absl::StrCat(", and ", rejected.size() - 1,
                                                                               " other value(s)")
                                                                : "",
                                            "), which is no class of this dataset"));
  }
  return Sample{*std::move(image), *std::move(stored), "", f.id};
}

absl::StatusOr<std::vector<std::string>> ReadSplitFile(const std::string& path, const std::string& layout) {
  if (absl::Status s = base::CheckReadableFile(path, "split file"); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(s.message(), " (expected layout: ", layout, ")"));
  }
  std::ifstream in(path);
  if (!in) return base::ErrnoPathError("split file", path, errno);
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    const std::string id(absl::StripAsciiWhitespace(line));
    if (!id.empty()) ids.push_back(id);
  }
  if (ids.empty()) return absl::InvalidArgumentError("split file " + path + " lists no ids");
  return ids;
}

absl::Status RequireDirectory(const std::string& path, const std::string& layout) {
  absl::Status s = base::CheckDirectory(path, "folder");
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(s.message(), " (expected layout: ", layout, ")"));
}

absl::Status RequireFiles(const std::vector<LabelledFile>& files, const std::string& layout) {
  std::vector<std::string> missing;
  int64_t count = 0;
  for (const LabelledFile& f : files) {
    for (const std::string* path : {&f.image_path, &f.label_path}) {
      absl::StatusOr<base::PathType> type = base::TypeOf(*path, "listed file");
      if (!type.ok()) return type.status();  // a symlink loop, a folder without search permission, ...
      if (*type == base::PathType::kFile) continue;
      if (++count <= 5) missing.push_back(*path);
    }
  }
  if (count == 0) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat(count, " listed file(s) missing, e.g. ", absl::StrJoin(missing, ", "),
                                          " (expected layout: ", layout, ")"));
}

absl::StatusOr<int> ReaderClassCount(const std::string& dataset, int requested, int own, int max_classes) {
  const int count = requested == 0 ? own : requested;
  if (count >= 1 && count <= max_classes) return count;
  return absl::InvalidArgumentError(absl::StrCat(dataset, ": ", count,
                                                 " classes requested; its label PNGs can hold 1 to ", max_classes,
                                                 " classes"));
}

}  // namespace zegclip::data
