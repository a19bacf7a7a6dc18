// The parameter table of an experiment's segmentor (`zegclip summary`): built from the config alone (no weights are
// read), with the encoder mode applied, so "learnable" is what training would update.
//
// Example:
//   absl::StatusOr<model::ParameterSummary> s = SummarizeExperiment(experiment);
//   std::cout << model::FormatParameterSummary(*s);  // VOC recipe: 13,821,184 learnable in the authors' convention
#ifndef ZEGCLIP_ENGINE_MODEL_SUMMARY_H_
#define ZEGCLIP_ENGINE_MODEL_SUMMARY_H_

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/model/parameter_summary.h"

namespace zegclip::engine {

// Fails (kInvalidArgument, naming the field) only where the model options cannot build a segmentor.
absl::StatusOr<model::ParameterSummary> SummarizeExperiment(const config::Experiment& experiment);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_MODEL_SUMMARY_H_
