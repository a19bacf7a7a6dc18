#include "zegclip/distributed/launcher_env.h"

#include <cstdlib>
#include <string>

namespace zegclip::distributed {
namespace {

// The first of `names` that is set to a non-negative integer.
std::optional<int> FirstIntEnv(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    char* end = nullptr;
    const long parsed = std::strtol(value, &end, 10);
    if (*end == '\0' && parsed >= 0) return static_cast<int>(parsed);
  }
  return std::nullopt;
}

}  // namespace

int LauncherWorldSize() {
  const std::optional<int> size = FirstIntEnv({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"});
  return size.has_value() && *size > 0 ? *size : 1;
}

std::optional<int> LauncherLocalRank() {
  return FirstIntEnv({"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"});
}

}  // namespace zegclip::distributed
