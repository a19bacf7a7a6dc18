// Where a training step's time goes, op by op: profiled ATen calls (name, thread, start/end, input shapes) summarised
// as a table of calls, self time (the op's own time, its nested ops excluded), total time and, for the matrix
// products, the GFLOP/s they reached; and the same calls as a Chrome trace (chrome://tracing, Perfetto).
//
// Example:
//   OpProfile profile = SummarizeOps(events, /*steps=*/10);
//   std::cout << FormatOpTable(profile, /*rows=*/25);
//   absl::Status s = WriteChromeTrace(events, work_dir + "/profile/trace.json");
#ifndef ZEGCLIP_TRAIN_OP_PROFILE_H_
#define ZEGCLIP_TRAIN_OP_PROFILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace zegclip::train {

// One op call as a profiler saw it.
struct OpEvent {
  std::string name;      // "aten::addmm"
  uint64_t thread = 0;
  double start_us = 0, end_us = 0;
  std::vector<std::vector<int64_t>> shapes;  // input shapes (for the FLOP count of matrix products); may be empty
};

struct OpRow {
  std::string name;
  int64_t calls = 0;
  double self_ms = 0, total_ms = 0;
  double gflop = 0;  // matrix products only: 2·M·K·N summed over the calls; 0 for the others
};

struct OpProfile {
  int64_t steps = 0;
  std::vector<OpRow> rows;   // by self time, largest first
  double self_ms = 0;        // all ops' self time: the time spent inside ops
  double span_ms = 0;        // first op start to last op end (per thread, summed)
  int64_t calls = 0;         // every op call
  int64_t leaf_calls = 0;    // calls with no op nested inside: the kernels a GPU would launch
  double gflop = 0;
};

// FLOPs of one call of a matrix product (aten::mm, addmm, bmm, baddbmm, matmul leaves) from its input shapes; 0 for
// other ops or missing shapes.
double MatmulFlops(const std::string& name, const std::vector<std::vector<int64_t>>& shapes);

// Events may come in any order; nesting is recovered per thread from the time intervals.
OpProfile SummarizeOps(const std::vector<OpEvent>& events, int64_t steps);

// A Markdown table: per step, the `rows` ops with the largest self time, then the totals.
std::string FormatOpTable(const OpProfile& profile, int rows);

// The events as a Chrome trace ("X" events, microseconds), written atomically.
absl::Status WriteChromeTrace(const std::vector<OpEvent>& events, const std::string& path);

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_OP_PROFILE_H_
