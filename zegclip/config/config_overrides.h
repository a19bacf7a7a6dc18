// Command-line overrides on top of an experiment file: `--set=train.max_iters=100`.
//
// The path names nested fields by their proto names; the value uses protobuf text syntax for the field's type
// (numbers, true/false, enum names, bare strings). A repeated field takes a comma-separated list that replaces the
// file's list: `--set=data.unseen_classes=cow,sheep`; an empty value clears it.
//
// Example:
//   Experiment exp;
//   absl::Status s = ApplyOverride("model.loss.kind=EL", &exp);   // exp.model().loss().kind() == EL
#ifndef ZEGCLIP_CONFIG_CONFIG_OVERRIDES_H_
#define ZEGCLIP_CONFIG_CONFIG_OVERRIDES_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace zegclip::config {

absl::Status ApplyOverride(const std::string& assignment, google::protobuf::Message* message);

}  // namespace zegclip::config

#endif  // ZEGCLIP_CONFIG_CONFIG_OVERRIDES_H_
