// Versions of the libraries this binary was built against, for `zegclip version` and run manifests.
//
// Example:
//   for (const auto& [name, version] : VersionInfo()) std::cout << name << " " << version << "\n";
#ifndef ZEGCLIP_REPORT_BUILD_INFO_H_
#define ZEGCLIP_REPORT_BUILD_INFO_H_

#include <string>
#include <utility>
#include <vector>

namespace zegclip::report {

inline constexpr const char* kZegclipVersion = "0.1.0";

// (component, version) pairs: zegclip, LibTorch, CUDA, NCCL, MPI, protobuf, compiler.
std::vector<std::pair<std::string, std::string>> VersionInfo();

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_BUILD_INFO_H_
