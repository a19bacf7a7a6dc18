// A sweep: every point of a sweep file (a base experiment and the fields it varies, zegclip/config/sweep.proto)
// trained one after another in this process, each into <work_dir>/<point>/ with its axis values in sweep_point.json,
// then the table <work_dir>/sweep.md (+ sweep.html, sweep.json: one row per point, seeds folded into mean ± std,
// links to every run's report), printed on rank 0.
// Every point's experiment is checked before the first trains. A rerun skips the finished points (eval.json and
// manifest.json written) and resumes an interrupted one from its newest checkpoint.
// A shard (I/N) trains only the points whose index in the sweep's order (seeds included) is I modulo N, so that N
// processes share one machine; shards write only their own point folders and no table (the table files are not
// written atomically and would race); a plain run afterwards finds every point finished and writes the table.
//
// Example:
//   absl::Status s = Sweep(*plan, {"runs/voc_ablation", *ParseSweepShard("0/4"), invocation}, comm);
#ifndef ZEGCLIP_ENGINE_SWEEP_H_
#define ZEGCLIP_ENGINE_SWEEP_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "zegclip/config/sweep_loader.h"
#include "zegclip/distributed/communicator.h"

namespace zegclip::engine {

// Which points this process trains: those whose position in the plan is `index` modulo `count`; by default all.
struct SweepShard {
  int index = 0;
  int count = 1;
  bool all = true;
  bool Includes(size_t point) const { return static_cast<int>(point % count) == index; }
};

// "I/N" with integers 0 <= I < N (digits only: "+1/2" or "1/2 " are refused rather than guessed at); "" = all.
absl::StatusOr<SweepShard> ParseSweepShard(const std::string& text);

struct SweepOptions {
  std::string work_dir;
  SweepShard shard;
  std::string invocation;  // the command line, recorded by every point
};

absl::Status Sweep(const config::SweepPlan& plan, const SweepOptions& options, distributed::Communicator& comm);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_SWEEP_H_
