// `zegclip sweep --sweep=F --work_dir=D [--shard=I/N] [--set ...]`: trains every point of a sweep file into
// D/<point>/ (skipping finished ones, resuming an interrupted one) and writes the table D/sweep.md (engine/sweep.h).
//
// Example:
//   zegclip sweep --sweep=experiments/sweeps/voc_ablation.pbtxt --work_dir=runs/voc_ablation
//       --set=data.root=/datasets/VOCdevkit/VOC2012
// Four shards at once, then the table:
//   for i in 0 1 2 3; do
//     zegclip sweep --sweep=experiments/sweeps/synthetic_ablation.pbtxt --work_dir=runs/synthetic_ablation
//         --shard=$i/4 >runs/shard_$i.log 2>&1 &
//   done; wait
//   zegclip sweep --sweep=experiments/sweeps/synthetic_ablation.pbtxt --work_dir=runs/synthetic_ablation
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/config/sweep_loader.h"
#include "zegclip/engine/sweep.h"

DEFINE_string(sweep, "", "sweep: the sweep file (.pbtxt) naming a base experiment and the fields it varies");
DEFINE_string(shard, "",
              "sweep: I/N trains only the points whose index (seeds included) is I modulo N, and writes no table; "
              "empty = every point");

namespace zegclip::tools {

int RunSweep(const CommandLine& command_line) {
  if (FLAGS_sweep.empty() || FLAGS_work_dir.empty())
    return UsageError("sweep", "--sweep=FILE and --work_dir=DIR are required");
  if (!FLAGS_config.empty()) {
    return UsageError("sweep", "give --sweep, not --config: the sweep file names its base experiment (base: ...)");
  }
  absl::StatusOr<engine::SweepShard> shard = engine::ParseSweepShard(FLAGS_shard);
  absl::StatusOr<config::SweepPlan> plan =
      shard.ok() ? config::LoadSweep(FLAGS_sweep, command_line.overrides) : shard.status();
  if (!plan.ok()) return RuntimeError(plan.status());
  const engine::SweepOptions options{FLAGS_work_dir, *shard, command_line.invocation};
  // The process is set up from the first point's experiment (known to validate); every point trains with its own.
  return RunStageCommand("sweep", plan->base_path, plan->points.front().overrides,
                         [&](const config::Experiment&, distributed::Communicator& comm) {
    if (comm.is_main()) {
      const std::string name = plan->sweep.name().empty() ? FLAGS_sweep : plan->sweep.name();
      std::cerr << absl::StrFormat("== sweep %s: %d points from %s -> %s%s\n", name, plan->points.size(),
                                   plan->base_path, options.work_dir,
                                   shard->all ? "" : absl::StrCat(" (shard ", FLAGS_shard, ")"));
    }
    return engine::Sweep(*plan, options, comm);
  });
}

}  // namespace zegclip::tools
