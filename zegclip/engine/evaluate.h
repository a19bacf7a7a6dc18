// Evaluation of a segmentor on the experiment's validation split, as the authors' test.py scores it: a checkpoint of
// ours, an authors' release (converted by tools/convert_zegclip_checkpoint.py; the model is built from its shapes,
// model.clip.checkpoint is not read), or the training-free dense-similarity baseline of the experiment's CLIP.
// Writes eval.json, examples/, manifest.json, config.pbtxt and the report into the work dir.
//
// Example:
//   absl::StatusOr<EvalSummary> s = Evaluate(experiment, EvalTarget{"baseline", ""}, {"runs/q/baseline"}, comm);
#ifndef ZEGCLIP_ENGINE_EVALUATE_H_
#define ZEGCLIP_ENGINE_EVALUATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/sample.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"
#include "zegclip/engine/stage_options.h"
#include "zegclip/eval/segmentation_metrics.h"
#include "zegclip/model/inference.h"
#include "zegclip/report/eval_record.h"
#include "zegclip/report/run_manifest.h"

namespace zegclip::engine {

// What an evaluation wrote: its eval.json record and where. The record's unseen_pixels_right_pattern (synthetic world)
// is the share of unseen pixels given a class of the right pattern: what only CLIP's text side can supply for an
// unseen composition.
struct EvalSummary {
  report::EvalRecord record;
  std::string eval_json;
};

// What Evaluate evaluates: exactly one of them.
struct EvalTarget {
  std::string checkpoint;          // a checkpoint written by `zegclip train`, or "baseline" (training-free)
  std::string authors_checkpoint;  // an authors' release converted by tools/convert_zegclip_checkpoint.py
};

// The experiment the training-free baseline runs (and records): CLIP as it is, no prompts, no head.
config::Experiment BaselineExperiment(config::Experiment experiment);

// Evaluates `target` on the validation split; stage.resume is not read (an evaluation never resumes). A work dir
// holding a training run is refused (engine/run_records.h: CheckNotATrainingRun).
absl::StatusOr<EvalSummary> Evaluate(const config::Experiment& experiment, const EvalTarget& target,
                                     const StageOptions& stage, distributed::Communicator& comm);

// Evaluates `logits_fn` on `val` with the seen-score offset chosen on eval.calibration_split when that is set (else
// model.seen_score_offset), records each eval.offset_candidates entry's hIoU on `val` itself for reference, writes
// eval.json, examples/, manifest.json and the report into work_dir. `checkpoint` says what was evaluated (eval.json
// and the manifest record it). Shared by training (after its last step) and Evaluate.
absl::StatusOr<EvalSummary> FinalEvaluation(const config::Experiment& experiment, const std::string& work_dir,
                                            const model::LogitsFn& logits_fn, const data::Dataset& val,
                                            const std::vector<std::string>& class_names, distributed::Communicator& comm,
                                            report::RunManifest& manifest, const std::string& checkpoint);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_EVALUATE_H_
