// Picks and creates the communicator for this process from the launcher's environment and the requested backend.
//
//   kAuto:   nccl when the launcher started > 1 rank and CUDA is available (and NCCL was compiled in),
//            mpi when > 1 rank otherwise, single for a plain process.
//   kSingle: one process; an error if the launcher started several ranks (they would train independently).
//   kMpi:    MPI on CPU tensors (works with one rank too, e.g. `mpirun -np 1`).
//   kNccl:   NCCL on CUDA tensors; an error listing the available backends in a build without NCCL.
// The world size is read from OMPI_COMM_WORLD_SIZE / PMI_SIZE / SLURM_NTASKS before MPI is initialised, so a plain
// process never touches MPI.
//
// Example:
//   absl::StatusOr<std::unique_ptr<Communicator>> comm = CreateCommunicator({Backend::kAuto, /*timeout=*/600});
//   if (!comm.ok()) { std::cerr << comm.status() << "\n"; return 1; }
#ifndef ZEGCLIP_DISTRIBUTED_COMMUNICATOR_FACTORY_H_
#define ZEGCLIP_DISTRIBUTED_COMMUNICATOR_FACTORY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zegclip/distributed/communicator.h"

namespace zegclip::distributed {

enum class Backend { kAuto, kSingle, kMpi, kNccl };

struct DistOptions {
  Backend backend = Backend::kAuto;
  // A collective in flight longer than this aborts every rank (a peer died or stalled). <= 0: wait forever.
  int timeout_seconds = 600;
};

// "auto", "single", "mpi", "nccl".
std::string BackendName(Backend backend);
// Parses the names above; the error lists them.
absl::StatusOr<Backend> ParseBackend(const std::string& name);
// The concrete backends compiled into this build: {"single", "mpi"} plus "nccl" where ZEGCLIP_WITH_NCCL is defined.
std::vector<std::string> AvailableBackends();

// The concrete backend `requested` means for a job of `world_size` ranks; never kAuto.
absl::StatusOr<Backend> ResolveBackend(Backend requested, int world_size, bool cuda_available);

// Resolves options.backend with LauncherWorldSize() and CUDA's availability, then creates the communicator.
absl::StatusOr<std::unique_ptr<Communicator>> CreateCommunicator(const DistOptions& options);

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_COMMUNICATOR_FACTORY_H_
