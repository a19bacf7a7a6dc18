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
  // Debian's interpreter (tools/setup.sh gives it matplotlib) unless ZEGCLIP_PYTHON names another (GPU hosts keep
  // matplotlib in a virtual environment).
  const char* chosen = std::getenv("ZEGCLIP_PYTHON");
  const std::string python = chosen != nullptr && *chosen != '\0' ? chosen : "/usr/bin/python3";
  std::string command = "MPLCONFIGDIR=${MPLCONFIGDIR:-/tmp/zegclip-mpl} '" + python + "' " + path;
  for (const std::string& arg : args) command += " '" + arg + "'";
  const int status = std::system(command.c_str());
  unlink(path);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    std::cerr << "report: " << python << " not found (install it with: bash tools/setup.sh, or set ZEGCLIP_PYTHON)\n";
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
