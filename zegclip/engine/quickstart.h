// The paper's whole experiment in the synthetic world, each stage in its own folder of the work dir:
//   1. clip/:      pre-train a tiny CLIP on image-caption pairs of every composition (engine/pretrain_clip.h)
//   2. baseline/:  the training-free dense-similarity baseline of that CLIP (engine/evaluate.h)
//   3. zegclip/:   train ZegCLIP on the seen classes and evaluate seen / unseen (engine/train_segmentor.h)
// A finished stage is reused on a second run when its recorded experiment agrees in every field its results depend
// on (else one error asking for force); an interrupted one resumes. One quickstart per folder (a lock).
//
// Example:
//   absl::Status s = Quickstart(experiment, {"runs/quickstart", /*force=*/false, invocation}, comm);
#ifndef ZEGCLIP_ENGINE_QUICKSTART_H_
#define ZEGCLIP_ENGINE_QUICKSTART_H_

#include <string>

#include "absl/status/status.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"

namespace zegclip::engine {

struct QuickstartOptions {
  std::string work_dir = "runs/quickstart";
  bool force = false;      // remove the stage folders first and rerun every stage
  std::string invocation;  // the command line, recorded by every stage
};

// Runs (or reuses) the three stages and prints their headline numbers on rank 0.
absl::Status Quickstart(config::Experiment experiment, const QuickstartOptions& options, distributed::Communicator& comm);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_QUICKSTART_H_
