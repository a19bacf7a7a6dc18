// The ZegCLIP stage: trains the experiment's segmentor on its seen classes (resuming from the work dir's newest
// checkpoint unless told otherwise), then evaluates it on the validation split and writes eval.json, examples/,
// manifest.json and the report (engine/evaluate.h).
//
// Example:
//   absl::StatusOr<EvalSummary> s = TrainSegmentor(experiment, {"runs/q/zegclip", true, invocation}, comm);
#ifndef ZEGCLIP_ENGINE_TRAIN_SEGMENTOR_H_
#define ZEGCLIP_ENGINE_TRAIN_SEGMENTOR_H_

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"
#include "zegclip/engine/evaluate.h"
#include "zegclip/engine/stage_options.h"

namespace zegclip::engine {

absl::StatusOr<EvalSummary> TrainSegmentor(const config::Experiment& experiment, const StageOptions& stage,
                                           distributed::Communicator& comm);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_TRAIN_SEGMENTOR_H_
