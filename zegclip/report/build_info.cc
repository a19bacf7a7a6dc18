#include "zegclip/report/build_info.h"

#include <mpi.h>
#include <torch/version.h>

#include <string>

#include "google/protobuf/stubs/common.h"

#ifdef ZEGCLIP_WITH_CUDA
#include <cuda_runtime_api.h>
#endif
#ifdef ZEGCLIP_WITH_NCCL
#include <nccl.h>
#endif

namespace zegclip::report {
namespace {

std::string MpiLibraryVersion() {
  // Allowed before MPI_Init; the first line is enough ("Open MPI v4.1.4, ...").
  char buffer[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(buffer, &length);
  std::string version(buffer, length);
  return version.substr(0, version.find_first_of(",\n"));
}

std::string CompilerVersion() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace

std::vector<std::pair<std::string, std::string>> VersionInfo() {
  return {
      {"zegclip", kZegclipVersion},
      {"libtorch", TORCH_VERSION},
#ifdef ZEGCLIP_WITH_CUDA
      {"cuda", std::to_string(CUDART_VERSION / 1000) + "." + std::to_string(CUDART_VERSION % 1000 / 10)},
#else
      {"cuda", "not built"},
#endif
#ifdef ZEGCLIP_WITH_NCCL
      {"nccl", std::to_string(NCCL_MAJOR) + "." + std::to_string(NCCL_MINOR) + "." + std::to_string(NCCL_PATCH)},
#else
      {"nccl", "not built"},
#endif
      {"mpi", MpiLibraryVersion()},
      {"protobuf", google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION)},
      {"compiler", CompilerVersion()},
  };
}

}  // namespace zegclip::report
