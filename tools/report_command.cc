// `zegclip report --work_dir=D`: (re)generates D/report.md and D/report.html from what the run left in D.
// Any failure is one line, "error: <file>: <what>", and exit status 1.
#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/engine/report_script.h"

namespace zegclip::tools {

int RunReport(const CommandLine&) {
  if (FLAGS_work_dir.empty()) return UsageError("report", "--work_dir=DIR is required");
  const absl::Status status = engine::RunReportScript({FLAGS_work_dir});
  if (status.ok()) return 0;
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

}  // namespace zegclip::tools
