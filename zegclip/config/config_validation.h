// Semantic checks of a (defaults-filled) experiment. The first problem found is returned, naming the field and
// what is allowed, e.g. "data.crop_size: 500 is not a multiple of model.clip.patch_size (16)".
//
// Example:
//   absl::Status s = ValidateExperiment(experiment);
#ifndef ZEGCLIP_CONFIG_CONFIG_VALIDATION_H_
#define ZEGCLIP_CONFIG_CONFIG_VALIDATION_H_

#include "absl/status/status.h"
#include "zegclip/config/experiment.pb.h"

namespace zegclip::config {

absl::Status ValidateExperiment(const Experiment& experiment);

}  // namespace zegclip::config

#endif  // ZEGCLIP_CONFIG_CONFIG_VALIDATION_H_
