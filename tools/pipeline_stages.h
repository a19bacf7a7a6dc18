// The stages of an experiment, callable on their own (`zegclip pretrain-clip|train|eval`) or chained by
// `zegclip quickstart`: each takes the resolved experiment, a run directory and the process's communicator.
//
// Example:
//   absl::StatusOr<PretrainSummary> clip = PretrainClip(experiment, "runs/q/clip", comm, invocation);
//   experiment.mutable_model()->mutable_clip()->set_checkpoint(clip->checkpoint);
//   absl::StatusOr<EvalSummary> seg = TrainSegmentor(experiment, "runs/q/zegclip", comm, invocation);
#ifndef ZEGCLIP_TOOLS_PIPELINE_STAGES_H_
#define ZEGCLIP_TOOLS_PIPELINE_STAGES_H_

#include <functional>
#include <map>
#include <vector>
#include <string>

#include "absl/status/statusor.h"
#include "tools/command.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/dist/communicator.h"
#include "data/sample.h"
#include "zegclip/eval/segmentation_metrics.h"
#include "zegclip/model/inference.h"
#include "zegclip/report/run_manifest.h"

namespace zegclip::tools {

struct PretrainSummary {
  std::string checkpoint;   // clip.pt
  std::string vocabulary;   // world_bpe.txt.gz
  double retrieval = 0, retrieval_seen = 0, retrieval_unseen = 0;  // image→text top-1, percent
  double unseen_colour = 0, unseen_pattern = 0;                    // attribute right on unseen images, percent
};

struct EvalSummary {
  eval::SegmentationMetrics metrics;
  std::string eval_json;
  // Unseen pixels predicted as a class with the right colour / right pattern (synthetic world only; NaN otherwise):
  // the pattern is what only CLIP's text side can supply for an unseen composition.
  double unseen_colour = 0, unseen_pattern = 0;
};

absl::StatusOr<PretrainSummary> PretrainClip(const config::Experiment& experiment, const std::string& work_dir,
                                             dist::Communicator& comm, const std::string& invocation);
absl::Status WritePretrainJson(const std::string& path, const PretrainSummary& summary, int64_t images);
std::string FormatPretrainSummary(const PretrainSummary& summary);

// Trains ZegCLIP as the experiment says (resuming from work_dir if it holds checkpoints), then evaluates on the
// validation split and writes eval.json, examples/ and the report.
absl::StatusOr<EvalSummary> TrainSegmentor(const config::Experiment& experiment, const std::string& work_dir,
                                           dist::Communicator& comm, const std::string& invocation);

// What EvaluateSegmentor evaluates: exactly one of them.
struct EvalTarget {
  std::string checkpoint;          // a checkpoint written by `zegclip train`, or "baseline" (training-free)
  std::string authors_checkpoint;  // an authors' release converted by tools/convert_zegclip_checkpoint.py
};

// The experiment the training-free baseline runs (and records): CLIP as it is, no prompts, no head.
config::Experiment BaselineExperiment(config::Experiment experiment);

// Evaluates a trained checkpoint, an authors' checkpoint, or the training-free dense-similarity baseline of the
// experiment's CLIP on the validation split; writes eval.json, examples/, manifest and report into work_dir.
absl::StatusOr<EvalSummary> EvaluateSegmentor(const config::Experiment& experiment, const EvalTarget& target,
                                              const std::string& work_dir, dist::Communicator& comm,
                                              const std::string& invocation);

// Evaluates `logits_fn` on `val` with the seen-score offset chosen on eval.calibration_split when that is set (else
// model.seen_score_offset), records each eval.offset_candidates entry's hIoU on `val` itself for reference, writes
// eval.json, examples/, manifest.json and the report into work_dir. Shared by train (after training) and eval.
absl::StatusOr<EvalSummary> FinalEvaluation(const config::Experiment& experiment, const std::string& work_dir,
                                            const model::LogitsFn& logits_fn, const data::Dataset& val,
                                            const std::vector<std::string>& class_names, dist::Communicator& comm,
                                            report::RunManifest& manifest,
                                            std::map<std::string, std::string> extra);

// Common set-up of the stage commands: --config/--work_dir checks, config loading with --set overrides, the
// intra-op thread count, the communicator; errors are printed as one line and give exit status 1.
int RunStage(const CommandLine& command_line, const std::string& name,
             const std::function<absl::Status(const config::Experiment&, dist::Communicator&)>& stage);

}  // namespace zegclip::tools

#endif  // ZEGCLIP_TOOLS_PIPELINE_STAGES_H_
