#include "zegclip/distributed/communicator_factory.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "zegclip/distributed/launcher_env.h"
#include "zegclip/distributed/mpi_communicator.h"
#include "zegclip/distributed/single_communicator.h"
#ifdef ZEGCLIP_WITH_NCCL
#include "zegclip/distributed/nccl_communicator.h"
#endif

namespace zegclip::distributed {
namespace {

#ifdef ZEGCLIP_WITH_NCCL
constexpr bool kWithNccl = true;
#else
constexpr bool kWithNccl = false;
#endif

}  // namespace

std::string BackendName(Backend backend) {
  switch (backend) {
    case Backend::kAuto: return "auto";
    case Backend::kSingle: return "single";
    case Backend::kMpi: return "mpi";
    case Backend::kNccl: return "nccl";
  }
  return "unknown";
}

absl::StatusOr<Backend> ParseBackend(const std::string& name) {
  for (Backend b : {Backend::kAuto, Backend::kSingle, Backend::kMpi, Backend::kNccl}) {
    if (name == BackendName(b)) return b;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown distributed backend '", name, "' (known: auto, single, mpi, nccl)"));
}

std::vector<std::string> AvailableBackends() {
  std::vector<std::string> names = {"single", "mpi"};
  if (kWithNccl) names.push_back("nccl");
  return names;
}

absl::StatusOr<Backend> ResolveBackend(Backend requested, int world_size, bool cuda_available) {
  const std::string available = absl::StrJoin(AvailableBackends(), ", ");
  switch (requested) {
    case Backend::kAuto:
      if (world_size > 1) return kWithNccl && cuda_available ? Backend::kNccl : Backend::kMpi;
      return Backend::kSingle;
    case Backend::kSingle:
      if (world_size > 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "distributed backend 'single' but the launcher started ", world_size,
            " ranks (they would train independently); use auto, mpi or nccl (available: ", available, ")"));
      }
      return Backend::kSingle;
    case Backend::kMpi:
      return Backend::kMpi;
    case Backend::kNccl:
      if (!kWithNccl) {
        return absl::FailedPreconditionError(absl::StrCat(
            "distributed backend 'nccl' is not compiled into this build (it needs CUDA + NCCL and the CMake build); "
            "available backends: ",
            available));
      }
      if (!cuda_available) {
        return absl::FailedPreconditionError(
            absl::StrCat("distributed backend 'nccl' needs CUDA, which is not available here; available: ", available));
      }
      return Backend::kNccl;
  }
  return absl::InvalidArgumentError("unknown distributed backend enum value");
}

absl::StatusOr<std::unique_ptr<Communicator>> CreateCommunicator(const DistOptions& options) {
  absl::StatusOr<Backend> backend = ResolveBackend(options.backend, LauncherWorldSize(), at::hasCUDA());
  if (!backend.ok()) return backend.status();
  switch (*backend) {
    case Backend::kSingle:
      return std::unique_ptr<Communicator>(std::make_unique<SingleCommunicator>());
    case Backend::kMpi:
      return std::unique_ptr<Communicator>(std::make_unique<MpiCommunicator>(options.timeout_seconds));
    case Backend::kNccl:
#ifdef ZEGCLIP_WITH_NCCL
      return std::unique_ptr<Communicator>(std::make_unique<NcclCommunicator>(options.timeout_seconds));
#else
      break;
#endif
    case Backend::kAuto:
      break;
  }
  return absl::InternalError("CreateCommunicator: backend did not resolve to a concrete one");
}

}  // namespace zegclip::distributed
