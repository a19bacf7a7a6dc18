// history.jsonl: how a run came to be, one JSON line per segment. A run started from iteration 0 has one segment; a
// resume that changed fields (train.lr, train.max_iters, ...) adds one starting at its resume iteration and naming
// each change with the values before and after, so no setting is recorded as if it had held from iteration 0.
// config.pbtxt beside it holds the settings of the newest segment.
//
// A resume from an iteration at or before an existing segment's start (e.g. after a diverged checkpoint was set
// aside) redoes those iterations: their segments are replaced, and the new segment's changes are folded so that they
// are measured from the settings that held before its start.
//
//   {"start_iter":0,"time":"2026-12-04T06:00:00Z","command":"zegclip train ...","changes":[]}
//   {"start_iter":300,"time":"...","command":"zegclip train ... --set=train.lr=5e-4",
//    "changes":[{"field":"train.lr","was":"0.001","now":"0.0005"}]}
#ifndef ZEGCLIP_REPORT_RUN_HISTORY_H_
#define ZEGCLIP_REPORT_RUN_HISTORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "zegclip/report/config_diff.h"

namespace zegclip::report {

struct RunSegment {
  int64_t start_iter = 0;
  std::string time;     // ISO 8601 UTC
  std::string command;  // the command line that ran it
  std::vector<FieldDifference> changes;  // path, was (a), now (b): relative to the previous segment's settings

  bool operator==(const RunSegment& o) const {
    return start_iter == o.start_iter && time == o.time && command == o.command && changes == o.changes;
  }
};

// The segments in file order; a missing file is an empty history. Errors name the file and line and what was
// expected (a torn or hand-edited file is never half-read).
absl::StatusOr<std::vector<RunSegment>> ReadRunHistory(const std::string& path);

// `history` with `segment` recorded: segments starting at or after segment.start_iter are dropped (their iterations
// are redone) and their changes folded into segment.changes, which on entry are relative to the newest segment's
// settings (the config.pbtxt of the run so far). A field changed and changed back drops out.
std::vector<RunSegment> WithSegment(std::vector<RunSegment> history, RunSegment segment);

// Reads `path`, records `segment` (WithSegment; a segment at iteration 0 starts the history afresh) and writes the
// file atomically.
absl::Status RecordRunSegment(const std::string& path, const RunSegment& segment);

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_RUN_HISTORY_H_
