// What the job launcher (mpirun, srun, a PMI launcher) tells a process through its environment, read BEFORE MPI is
// initialised: the factory uses it to decide whether MPI is needed at all.
//
// Example:
//   if (LauncherWorldSize() > 1) { ... data parallel ... }
//   int gpu = LauncherLocalRank().value_or(0);
#ifndef ZEGCLIP_DISTRIBUTED_LAUNCHER_ENV_H_
#define ZEGCLIP_DISTRIBUTED_LAUNCHER_ENV_H_

#include <optional>

namespace zegclip::distributed {

// OMPI_COMM_WORLD_SIZE, then PMI_SIZE, then SLURM_NTASKS; 1 when none is set (a plain, unlaunched process).
int LauncherWorldSize();
// OMPI_COMM_WORLD_LOCAL_RANK, then MPI_LOCALRANKID, then SLURM_LOCALID; nullopt when none is set.
std::optional<int> LauncherLocalRank();

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_LAUNCHER_ENV_H_
