// Helpers for what every `train` / `eval` / `pretrain-clip` leaves in its run directory: the evaluation as an
// eval.json record (its schema and writer: zegclip/report/eval_record.h), paths, the terminal table.
// config.pbtxt and history.jsonl: run_records.h.
//
// Example:
//   report::EvalRecord record = EvalRecordOf(result, class_names, split.seen);
//   absl::Status s = report::WriteEvalRecord(work_dir + "/eval.json", record);
#ifndef ZEGCLIP_ENGINE_RUN_DIRECTORY_H_
#define ZEGCLIP_ENGINE_RUN_DIRECTORY_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/eval/segmentation_evaluator.h"
#include "zegclip/report/eval_record.h"

namespace zegclip::engine {

// mkdir -p
absl::Status MakeDirectories(const std::string& path);
bool FileExists(const std::string& path);

// The config.pbtxt of the run directory holding `checkpoint` (what `train` wrote beside its iter_N.ckpt). Error:
// "--checkpoint=C: no config.pbtxt beside it; give the experiment it was trained with as --config=F".
absl::StatusOr<std::string> RunConfigOf(const std::string& checkpoint);

// The experiment a segmentor was trained with: `config` when given, else for our checkpoint RunConfigOf; an
// authors' checkpoint (`authors_checkpoint` non-empty) does not name its recipe, so it needs `config`.
absl::StatusOr<std::string> ExperimentFileOf(const std::string& config, const std::string& checkpoint,
                                             const std::string& authors_checkpoint);

// The record of an evaluation: headline metrics (percent), image count, per-class IoU and accuracy with names and
// seen flags. The caller adds what else it knows (checkpoint, calibration, attribute shares).
report::EvalRecord EvalRecordOf(const eval::EvalResult& result, const std::vector<std::string>& class_names,
                                const std::vector<int64_t>& seen);

// A short table of the headline numbers for the terminal.
std::string FormatMetrics(const report::EvalRecord& record);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_RUN_DIRECTORY_H_
