// What every stage needs from the process before it starts: the experiment's communicator (single process, MPI or
// NCCL: distributed.backend), LibTorch's intra-op thread count (train.threads, else this host's cores shared
// among its ranks), and the device the stage computes on.
//
// Example:
//   absl::StatusOr<std::unique_ptr<distributed::Communicator>> comm = SetUpProcess(experiment);
//   absl::StatusOr<EvalSummary> s = TrainSegmentor(experiment, stage, **comm);
#ifndef ZEGCLIP_ENGINE_PROCESS_SETUP_H_
#define ZEGCLIP_ENGINE_PROCESS_SETUP_H_

#include <ATen/Device.h>

#include <memory>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"

namespace zegclip::engine {

absl::StatusOr<std::unique_ptr<distributed::Communicator>> SetUpProcess(const config::Experiment& experiment);

// Where the process computes: the communicator's device (nccl: its GPU), else CUDA if present, else the CPU.
at::Device ComputeDevice(const distributed::Communicator& comm);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_PROCESS_SETUP_H_
