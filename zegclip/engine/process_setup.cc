#include "zegclip/engine/process_setup.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <algorithm>
#include <thread>

#include "zegclip/distributed/communicator_factory.h"
#include "zegclip/engine/experiment_options.h"

namespace zegclip::engine {

absl::StatusOr<std::unique_ptr<distributed::Communicator>> SetUpProcess(const config::Experiment& experiment) {
  absl::StatusOr<std::unique_ptr<distributed::Communicator>> comm =
      distributed::CreateCommunicator(DistOptionsFrom(experiment.distributed()));
  if (!comm.ok()) return comm.status();
  // LibTorch defaults to one intra-op thread here; use the cores, shared among this host's ranks.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = experiment.train().threads() > 0 ? experiment.train().threads()
                                                       : std::max(1, cores / (*comm)->size());
  at::set_num_threads(threads);
  return comm;
}

at::Device ComputeDevice(const distributed::Communicator& comm) {
  if (comm.device().is_cuda()) return comm.device();
  return torch::cuda::is_available() ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
}

}  // namespace zegclip::engine
