// The run report (report.md, report.html) and the sweep table (sweep.md, sweep.html, sweep.json): the matplotlib
// script tools/report/make_report.py, embedded in the binary and run with Debian's python3 (or $ZEGCLIP_PYTHON).
//
// Example:
//   absl::Status s = RunReportScript({"runs/q/zegclip"});                  // one run directory
//   absl::Status t = RunReportScript({"--sweep", "runs/abl", "runs/abl/a", "runs/abl/b"});
#ifndef ZEGCLIP_ENGINE_REPORT_SCRIPT_H_
#define ZEGCLIP_ENGINE_REPORT_SCRIPT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace zegclip::engine {

// Runs the embedded report script with `args`. A failure is the script's one error line, "<file>: <what>" (e.g.
// "runs/a/eval.json: not JSON (...)"), for the caller to print once; on success the script's warnings go to stderr.
absl::Status RunReportScript(const std::vector<std::string>& args);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_REPORT_SCRIPT_H_
