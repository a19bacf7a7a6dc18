// Training-data throughput from disk: images/s of the full mmseg-style training pipeline (JPEG + palette-PNG decode,
// ratio-range resize, 512x512 random crop with the category cap, flip, photometric distortion, normalise, batching)
// through data::Loader with 1, 2 and 4 workers, against a plain single-threaded decode-only loop over the same files
// (the reference, measured in the same run). The data is the synthetic world exported in the PASCAL VOC layout
// (data/synthetic_export.h) at --image_size, or any VOC-layout folder given with --data_dir. For the synthetic world
// it also times rendering the same images in memory (what training does), against the same reference.
//
//   bazel run //benchmarks:loader_benchmark -- --images=64 --workers=1,2,4
//   bazel run //benchmarks:loader_benchmark -- --image_size=64 --images=2000   # the default job's world
//   bazel run //benchmarks:loader_benchmark -- --data_dir=/data/VOCdevkit/VOC2012 --num_classes=20
//
// The ratio is pipeline images/s over decode-only images/s: the pipeline does strictly more work per image, so with
// one worker it is below 1, and more workers than cores cannot raise it further.
#include <ATen/Parallel.h>
#include <gflags/gflags.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "data/image_io.h"
#include "data/loader.h"
#include "data/synthetic_export.h"
#include "data/synthetic_world.h"
#include "data/transforms.h"
#include "data/voc_dataset.h"
#include "nlohmann/json.hpp"

DEFINE_string(data_dir, "", "a VOC-layout folder (default: the synthetic world exported into a temporary folder)");
DEFINE_string(split, "train", "the split file of --data_dir to read");
DEFINE_int32(num_classes, 36, "classes of --data_dir's labels (the synthetic world: 36; VOC: 20)");
DEFINE_int32(images, 64, "images exported (when no --data_dir)");
DEFINE_int32(image_size, 640, "side of the exported images (the pipeline resizes and crops them to 512)");
DEFINE_string(workers, "1,2,4", "loader worker counts to measure");
DEFINE_int32(batch, 4, "images per batch");
DEFINE_int32(batches, 16, "timed batches per worker count (after one warm-up batch)");
DEFINE_string(json_out, "", "write the rows to this JSON file");

namespace zegclip::benchmarks {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The synthetic world exported when no --data_dir is given.
data::SyntheticWorldOptions ExportedWorld() {
  data::SyntheticWorldOptions world;
  world.image_size = FLAGS_image_size;
  // Objects scaled with the image, as in the 64-pixel world (14-38 px).
  world.min_object_size = FLAGS_image_size * 14 / 64;
  world.max_object_size = FLAGS_image_size * 38 / 64;
  return world;
}

absl::StatusOr<std::string> PrepareData() {
  if (!FLAGS_data_dir.empty()) return FLAGS_data_dir;
  std::error_code error;  // the non-throwing forms: a broken TMPDIR is an error message, not an abort
  const std::filesystem::path tmp = std::filesystem::temp_directory_path(error);
  std::string dir = ((error ? std::filesystem::path("/tmp") : tmp) / "zegclip_loader_benchmark_XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot create a temporary folder like ", dir));
  }
  data::SyntheticExportOptions options;
  options.world = ExportedWorld();
  options.splits = {{FLAGS_split, FLAGS_images}};
  absl::Status exported = data::ExportSyntheticWorld(options, dir);
  if (!exported.ok()) return exported;
  return dir;
}

// The reference: decode every image and label once, one thread, nothing else.
absl::StatusOr<double> DecodeOnlyImagesPerSecond(const data::FolderDataset& dataset) {
  const Clock::time_point start = Clock::now();
  for (const data::LabelledFile& f : dataset.files()) {
    absl::StatusOr<at::Tensor> rgb = data::ReadRgbImage(f.image_path);
    if (!rgb.ok()) return rgb.status();
    absl::StatusOr<at::Tensor> ids = data::ReadIndexPng(f.label_path);
    if (!ids.ok()) return ids.status();
  }
  return static_cast<double>(dataset.files().size()) / SecondsSince(start);
}

// What the training job does instead of reading the export: render the same images in memory, one thread.
double RenderImagesPerSecond(int64_t images) {
  const data::SyntheticWorldOptions world = ExportedWorld();
  const Clock::time_point start = Clock::now();
  int64_t objects = 0;  // used, so the rendering cannot be optimised away
  for (int64_t i = 0; i < images; ++i) objects += data::RenderSyntheticScene(world, FLAGS_split, i).objects.size();
  const double seconds = SecondsSince(start);
  if (objects == 0) std::printf("(no objects rendered)\n");
  return static_cast<double>(images) / seconds;
}

absl::StatusOr<double> PipelineImagesPerSecond(std::shared_ptr<const data::Dataset> dataset, int64_t workers) {
  data::LoaderOptions options;
  options.batch_size = FLAGS_batch;
  options.num_workers = workers;
  options.prefetch_batches = std::max<int64_t>(1, 2 * workers);
  absl::StatusOr<std::unique_ptr<data::Loader>> loader =
      data::Loader::Create(std::move(dataset), data::TrainPipeline(data::TransformOptions{}), options);
  if (!loader.ok()) return loader.status();
  absl::StatusOr<data::Batch> warm = (*loader)->Next();  // thread start-up and the first prefetch
  if (!warm.ok()) return warm.status();
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < FLAGS_batches; ++i) {
    absl::StatusOr<data::Batch> batch = (*loader)->Next();
    if (!batch.ok()) return batch.status();
  }
  return static_cast<double>(FLAGS_batches) * FLAGS_batch / SecondsSince(start);
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "loader_benchmark: %s\n", std::string(s.message()).c_str());
  return 1;
}

int Run() {
  std::vector<int64_t> worker_counts;
  for (absl::string_view part : absl::StrSplit(FLAGS_workers, ',', absl::SkipEmpty())) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(part, &n) || n < 0) {
      return Fail(absl::InvalidArgumentError(absl::StrCat("--workers: '", part, "' is not a worker count")));
    }
    worker_counts.push_back(n);
  }
  if (FLAGS_batch < 1 || FLAGS_batches < 1) return Fail(absl::InvalidArgumentError("--batch and --batches must be >= 1"));
  at::set_num_threads(1);  // the workers are the parallelism being measured
  absl::StatusOr<std::string> root = PrepareData();
  if (!root.ok()) return Fail(root.status());
  // An exported folder is this run's own: removed on every way out.
  struct RemoveExport {
    std::string dir;
    ~RemoveExport() {
      std::error_code ignored;  // best effort, in a destructor
      if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
    }
  } remove_export{FLAGS_data_dir.empty() ? *root : ""};
  data::FolderReaderOptions reader;
  reader.num_classes = FLAGS_num_classes;
  absl::StatusOr<std::unique_ptr<data::FolderDataset>> dataset = data::CreateVocDataset(*root, FLAGS_split, reader);
  if (!dataset.ok()) return Fail(dataset.status());
  std::shared_ptr<const data::FolderDataset> shared = std::move(*dataset);

  absl::StatusOr<double> reference = DecodeOnlyImagesPerSecond(*shared);
  if (!reference.ok()) return Fail(reference.status());
  nlohmann::json json = {{"benchmark", "loader"}, {"data", *root}, {"images", shared->files().size()},
                         {"hardware_threads", std::thread::hardware_concurrency()},
                         {"decode_only_images_per_s", *reference}, {"rows", nlohmann::json::array()}};
  std::printf("loader_benchmark: %zu images from %s, batch %d, %d timed batches per row, %u hardware threads\n",
              shared->files().size(), root->c_str(), FLAGS_batch, FLAGS_batches,
              std::thread::hardware_concurrency());
  std::printf("%-34s %10s %14s\n", "pipeline", "img/s", "vs decode-only");
  std::printf("%-34s %10.1f %13.2fx\n", "decode only (1 thread, reference)", *reference, 1.0);
  if (FLAGS_data_dir.empty()) {
    const double rendered = RenderImagesPerSecond(FLAGS_images);
    std::printf("%-34s %10.1f %13.2fx\n", "render in memory (1 thread)", rendered, rendered / *reference);
    json["render_images_per_s"] = rendered;
    json["render_ratio_vs_decode_only"] = rendered / *reference;
  }
  for (int64_t workers : worker_counts) {
    absl::StatusOr<double> rate = PipelineImagesPerSecond(shared, workers);
    if (!rate.ok()) return Fail(rate.status());
    const double ratio = *rate / *reference;
    std::printf("%-34s %10.1f %13.2fx\n", absl::StrCat("train pipeline, ", workers, " worker(s)").c_str(), *rate,
                ratio);
    json["rows"].push_back({{"workers", workers}, {"images_per_s", *rate}, {"ratio_vs_decode_only", ratio}});
  }
  if (!FLAGS_json_out.empty()) std::ofstream(FLAGS_json_out) << json.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace zegclip::benchmarks

int main(int argc, char** argv) {
  gflags::SetUsageMessage("training-pipeline images/s from disk vs a decode-only loop (see the file header)");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return zegclip::benchmarks::Run();
}
