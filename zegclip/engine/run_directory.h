// What every `train` / `eval` / `pretrain-clip` leaves in its run directory, and the helpers that write it:
// manifest.json, eval.json, examples/, report.{md,html} (config.pbtxt and history.jsonl: run_records.h).
//
// Example:
//   ... WriteEvalJson(work_dir + "/eval.json", result, split_names, extra) ...
#ifndef ZEGCLIP_ENGINE_RUN_DIRECTORY_H_
#define ZEGCLIP_ENGINE_RUN_DIRECTORY_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/eval/segmentation_evaluator.h"

namespace zegclip::engine {

// mkdir -p
absl::Status MakeDirectories(const std::string& path);
bool FileExists(const std::string& path);

// The config.pbtxt of the run directory holding `checkpoint` (what `train` wrote beside its iter_N.ckpt). Error:
// "--checkpoint=C: no config.pbtxt beside it; give the experiment it was trained with as --config=F".
absl::StatusOr<std::string> RunConfigOf(const std::string& checkpoint);

// eval.json: headline metrics (percent), per-class IoU with names and seen flags, image count, and `extra` fields.
absl::Status WriteEvalJson(const std::string& path, const eval::EvalResult& result,
                           const std::vector<std::string>& class_names, const std::vector<int64_t>& seen,
                           const std::map<std::string, std::string>& extra);

// A short table of the headline numbers for the terminal.
std::string FormatMetrics(const eval::SegmentationMetrics& metrics);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_RUN_DIRECTORY_H_
