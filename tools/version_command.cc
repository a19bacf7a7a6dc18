// `zegclip version`: this binary's version and the versions of what it was built with.
#include <iostream>

#include "tools/command.h"
#include "zegclip/report/build_info.h"

namespace zegclip::tools {

int RunVersion(const CommandLine&) {
  for (const auto& [name, version] : report::VersionInfo()) std::cout << name << ": " << version << "\n";
  return 0;
}

}  // namespace zegclip::tools
