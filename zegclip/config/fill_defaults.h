// Makes every default explicit: after FillDefaults, each optional field of the message tree is set, so the printed
// text (the run directory's config.pbtxt) says exactly what ran, and a later change of a default cannot change
// what an old run directory means.
//
// Example:
//   Experiment exp;            // empty
//   FillDefaults(&exp);        // exp.train().has_max_iters() == true, value 20000
#ifndef ZEGCLIP_CONFIG_FILL_DEFAULTS_H_
#define ZEGCLIP_CONFIG_FILL_DEFAULTS_H_

#include "google/protobuf/message.h"

namespace zegclip::config {

void FillDefaults(google::protobuf::Message* message);

}  // namespace zegclip::config

#endif  // ZEGCLIP_CONFIG_FILL_DEFAULTS_H_
