// `zegclip compare --runs=A,B`: two finished run directories side by side, as Markdown on stdout: the headline
// metrics of their eval.json (with B - A), the per-class IoUs that moved, the fields in which their resolved
// config.pbtxt differ, and where each came from (manifest.json: commit, machine, command, versions).
// Every file is read and checked before anything is printed (engine/run_comparison.h).
//
// Example:
//   zegclip compare --runs=runs/voc_inductive,runs/voc_inductive_el > compare.md
#include <gflags/gflags.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "tools/command.h"
#include "zegclip/engine/run_comparison.h"

DEFINE_string(runs, "", "compare: two run directories, comma-separated (A,B)");

namespace zegclip::tools {

int RunCompare(const CommandLine&) {
  const std::vector<std::string> dirs = absl::StrSplit(FLAGS_runs, ',');
  if (dirs.size() != 2 || dirs[0].empty() || dirs[1].empty()) {
    return UsageError("compare", "--runs=A,B names two run directories, comma-separated (got '" + FLAGS_runs + "')");
  }
  std::vector<engine::ComparedRun> runs;
  for (const std::string& dir : dirs) {
    absl::StatusOr<engine::ComparedRun> run = engine::ReadComparedRun(dir);
    if (!run.ok()) return RuntimeError(run.status());
    runs.push_back(*std::move(run));
  }
  std::cout << engine::CompareRunsMarkdown(runs[0], runs[1]);
  return 0;
}

}  // namespace zegclip::tools
