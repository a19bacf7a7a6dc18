// `zegclip report --work_dir=D`: (re)generates D/report.md and D/report.html from what the run left in D.
// The matplotlib script is embedded in the binary (tools/report/make_report.py) and run with Debian's python3.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"

extern const char kMakeReportPy[];

namespace zegclip::tools {

int RunReportScript(const std::vector<std::string>& args) {
  char path[] = "/tmp/zegclip_make_report_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    std::cerr << "report: cannot create a temporary file in /tmp\n";
    return 1;
  }
  close(fd);
  std::ofstream(path) << kMakeReportPy;
  std::string command = std::string("MPLCONFIGDIR=${MPLCONFIGDIR:-/tmp/zegclip-mpl} /usr/bin/python3 ") + path;
  for (const std::string& arg : args) command += " '" + arg + "'";
  const int status = std::system(command.c_str());
  unlink(path);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    std::cerr << "report: /usr/bin/python3 not found (install it with: bash tools/setup.sh)\n";
  }
  return status == 0 ? 0 : 1;  // the script printed its own one-line error
}

int RunReport(const CommandLine&) {
  if (FLAGS_work_dir.empty()) {
    std::cerr << "report: --work_dir=DIR is required\n";
    return 2;
  }
  return RunReportScript({FLAGS_work_dir});
}

}  // namespace zegclip::tools
