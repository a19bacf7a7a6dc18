#include "data/dataset_check.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/image_io.h"

namespace zegclip::data {
namespace {

using Histogram = std::array<int64_t, 256>;  // pixels per mapped label value

const char* ReasonFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kNotFound: return kMissingFile;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kFailedPrecondition: return kUnreadableFile;
    case absl::StatusCode::kResourceExhausted: return kTooLarge;
    default: return kCorruptFile;
  }
}

BadFile FromReadError(const std::string& path, const absl::Status& status) {
  return {path, ReasonFor(status.code()), std::string(status.message())};
}

std::string SizeOf(const at::Tensor& t) { return absl::StrCat(t.size(1), "x", t.size(0)); }

// Checks one pair; adds its problems to `bad` and, when it has none, its mapped labels to `histogram`.
void CheckPair(const LabelledFile& file, const LabelMap& map, std::vector<BadFile>* bad, Histogram* histogram) {
  absl::StatusOr<at::Tensor> image = ReadRgbImage(file.image_path);
  if (!image.ok()) bad->push_back(FromReadError(file.image_path, image.status()));
  absl::StatusOr<at::Tensor> label = ReadIndexPng(file.label_path);
  if (!label.ok()) {
    bad->push_back(FromReadError(file.label_path, label.status()));
    return;
  }
  if (image.ok() && (image->size(0) != label->size(0) || image->size(1) != label->size(1))) {
    bad->push_back({file.label_path, kWrongSize,
                    absl::StrCat("label is ", SizeOf(*label), " (WxH) but image ", file.image_path, " is ",
                                 SizeOf(*image))});
  }
  const std::vector<std::pair<int, int64_t>> rejected = ApplyLabelMap(map, *label);
  if (!rejected.empty()) {
    std::vector<std::string> values;
    for (const auto& [value, pixels] : rejected) values.push_back(absl::StrCat(value, " (", pixels, " px)"));
    bad->push_back({file.label_path, kOutOfRangeIds,
                    absl::StrCat("stored value(s) ", absl::StrJoin(values, ", "), " are no class of this dataset; "
                                 "it accepts ", AcceptedLabelValues(map))});
  }
  if (!bad->empty()) return;
  const uint8_t* p = label->data_ptr<uint8_t>();
  for (int64_t i = 0; i < label->numel(); ++i) ++(*histogram)[p[i]];
}

int64_t ClassCount(const LabelMap& map) {
  int64_t count = 0;
  for (int16_t mapped : map) {
    if (mapped >= 0 && mapped != 255) count = std::max<int64_t>(count, mapped + 1);
  }
  return count;
}

}  // namespace

std::string AcceptedLabelValues(const LabelMap& map) {
  std::vector<std::string> ranges;
  for (int v = 0; v < 256;) {
    if (map[v] < 0) {
      ++v;
      continue;
    }
    int end = v;
    while (end + 1 < 256 && map[end + 1] >= 0) ++end;
    ranges.push_back(end == v ? absl::StrCat(v) : absl::StrCat(v, "-", end));
    v = end + 1;
  }
  return absl::StrJoin(ranges, ", ");
}

DatasetCheck CheckFolderDataset(const FolderDataset& dataset, int threads) {
  const std::vector<LabelledFile>& files = dataset.files();
  const int64_t n = static_cast<int64_t>(files.size());
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, n)));
  std::vector<std::vector<BadFile>> bad(files.size());
  std::vector<Histogram> histograms(threads, Histogram{});
  std::atomic<int64_t> next{0};
  auto work = [&](int worker) {
    for (int64_t i = next++; i < n; i = next++) {
      // An exception would end the process from a worker thread: the pair is reported as bad instead.
      try {
        CheckPair(files[i], dataset.label_map(), &bad[i], &histograms[worker]);
      } catch (const std::exception& e) {
        const std::string what = e.what();
        bad[i].push_back({files[i].image_path, kCorruptFile, what.substr(0, what.find('\n'))});
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();

  DatasetCheck check;
  check.name = dataset.name();
  check.listed = n;
  check.num_classes = ClassCount(dataset.label_map());
  check.class_pixels.assign(check.num_classes, 0);
  for (const Histogram& h : histograms) {
    for (int64_t c = 0; c < check.num_classes; ++c) check.class_pixels[c] += h[c];
    check.ignore_pixels += h[255];
  }
  for (std::vector<BadFile>& pair : bad) {
    if (pair.empty()) ++check.good;
    for (BadFile& b : pair) check.bad.push_back(std::move(b));
  }
  return check;
}

}  // namespace zegclip::data
