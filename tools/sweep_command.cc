// `zegclip sweep --sweep=F --work_dir=D [--set ...]`: trains every point of a sweep file (a base experiment and the
// fields it varies, see zegclip/config/sweep.proto) one after another in this process, each into D/<point>/ with its
// axis values in D/<point>/sweep_point.json, then writes the table D/sweep.md (+ sweep.html, sweep.json: one row per
// point, its seeds folded into mean ± std, links to every run's report) and prints it.
// Every point's experiment is validated before the first trains. A rerun skips the finished points (eval.json and
// manifest.json written) and resumes an interrupted one from its newest checkpoint, so a sweep cut short continues
// where it stopped.
// --shard=I/N trains only the points whose index in the sweep's order (seeds included) is I modulo N, so that N
// processes share one machine (e.g. one GPU whose quickstart-size trainings leave most of it idle). Shards write
// into the same work_dir but only their own point folders; a shard validates every point as usual but writes no
// table (the table files are not written atomically and would race) and prints the points it trained instead. A
// plain run afterwards finds every point finished, skips them all and writes the complete table.
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
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/command.h"
#include "tools/flags.h"
#include "tools/pipeline_stages.h"
#include "tools/run_directory.h"
#include "tools/run_preflight.h"
#include "tools/run_records.h"
#include "zegclip/config/sweep_loader.h"
#include "zegclip/report/run_manifest.h"

DEFINE_string(sweep, "", "sweep: the sweep file (.pbtxt) naming a base experiment and the fields it varies");
DEFINE_string(shard, "",
              "sweep: I/N trains only the points whose index (seeds included) is I modulo N, and writes no table; "
              "empty = every point");

namespace zegclip::tools {
namespace {

// Which points this process trains: those whose position in the plan is `index` modulo `count`; by default all.
struct Shard {
  int index = 0;
  int count = 1;
  bool all = true;
  bool Includes(size_t point) const { return static_cast<int>(point % count) == index; }
};

// "I/N" with integers 0 <= I < N; digits only, so that "+1/2" or "1/2 " are refused rather than guessed at.
absl::StatusOr<Shard> ParseShard(const std::string& text) {
  if (text.empty()) return Shard{};
  const std::vector<std::string> parts = absl::StrSplit(text, '/');
  Shard shard;
  shard.all = false;
  const auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (parts.size() != 2 || !digits(parts[0]) || !digits(parts[1]) || !absl::SimpleAtoi(parts[0], &shard.index) ||
      !absl::SimpleAtoi(parts[1], &shard.count) || shard.count < 1 || shard.index >= shard.count) {
    return absl::InvalidArgumentError(
        absl::StrCat("--shard=", text, ": expected I/N with integers 0 <= I < N (e.g. --shard=0/4)"));
  }
  return shard;
}

// The axis values only: the sweep table makes one column of every key.
std::string PointJson(const config::SweepPoint& point) {
  nlohmann::ordered_json j;
  for (const auto& [axis, value] : point.values) j[axis] = value;
  return j.dump(2) + "\n";
}

absl::Status TrainPoint(const config::SweepPoint& point, const std::string& dir, dist::Communicator& comm,
                        const std::string& invocation) {
  if (comm.is_main()) {
    absl::Status s = MakeDirectories(dir);
    if (s.ok()) s = report::WriteFileAtomically(dir + "/sweep_point.json", PointJson(point));
    if (!s.ok()) return s;
  }
  comm.Barrier();
  absl::StatusOr<EvalSummary> summary = TrainSegmentor(point.experiment, dir, comm, invocation);
  if (!summary.ok()) return summary.status();
  // Flushed: the report script that runs next writes to the same stdout.
  if (comm.is_main()) std::cout << point.name << "\n" << FormatMetrics(summary->metrics) << std::endl;
  return absl::OkStatus();
}

// A point is finished once its manifest is written: the final evaluation writes eval.json, examples/ and then
// manifest.json, so a sweep killed between the two retrains nothing (the newest checkpoint is the last one) but
// evaluates again.
bool PointFinished(const std::string& dir) {
  return FileExists(dir + "/eval.json") && FileExists(dir + "/manifest.json");
}

// The report is written after the manifest; a sweep killed in between left a finished point without it.
absl::Status RepairReport(const config::SweepPoint& point, const std::string& dir, dist::Communicator& comm) {
  // report.md comes last when the point's report.html is off, report.html last otherwise.
  const std::string last = point.experiment.report().html() ? "/report.html" : "/report.md";
  if (!comm.is_main() || FileExists(dir + last)) return absl::OkStatus();
  return RunReportScript({dir});
}

absl::Status WriteTable(const std::string& root, const std::vector<std::string>& dirs) {
  std::vector<std::string> args = {"--sweep", root};
  args.insert(args.end(), dirs.begin(), dirs.end());
  if (absl::Status s = RunReportScript(args); !s.ok()) return s;
  std::ifstream table(root + "/sweep.md");
  if (!table) return absl::InternalError(root + "/sweep.md: missing after the report script ran");
  std::cout << "\n" << table.rdbuf();
  return absl::OkStatus();
}

// Trains one point unless it is finished (then repairs its report); `trained` says which happened.
absl::Status RunPoint(const config::SweepPoint& point, const std::string& dir, size_t i, size_t n,
                      dist::Communicator& comm, const std::string& invocation, bool* trained) {
  // Rank 0 decides, so that every rank skips or trains the same points.
  const bool done = comm.Broadcast(PointFinished(dir) ? 1.0 : 0.0) > 0.5;
  *trained = !done;
  if (comm.is_main()) {
    std::cerr << absl::StrFormat("== sweep point %d/%d: %s%s\n", i + 1, n, point.name,
                                 done ? " (eval.json exists: skipped)" : "");
  }
  if (done) return RepairReport(point, dir, comm);
  absl::Status s = TrainPoint(point, dir, comm, invocation);
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat("sweep point '", point.name, "': ", s.message()));
  return absl::OkStatus();
}

// What a shard did, in place of the table that only the final plain run writes.
void PrintShardSummary(const Shard& shard, const std::vector<std::string>& trained,
                       const std::vector<std::string>& skipped) {
  std::cout << absl::StrFormat("\nshard %d/%d: trained %d point(s), %d already finished\n", shard.index,
                               shard.count, trained.size(), skipped.size());
  for (const std::string& name : trained) std::cout << "  trained: " << name << "\n";
  for (const std::string& name : skipped) std::cout << "  finished before: " << name << "\n";
  std::cout << "no table written: run the sweep without --shard once every shard is done" << std::endl;
}

// Every point this shard will train passes train's checks (tools/run_preflight.h) before the first one trains: a
// point that cannot start must not cost the points before it.
absl::Status CheckPoints(const config::SweepPlan& plan, const std::string& root, const Shard& shard,
                         dist::Communicator& comm) {
  for (size_t i = 0; i < plan.points.size(); ++i) {
    const config::SweepPoint& point = plan.points[i];
    if (!shard.Includes(i)) continue;
    const std::string dir = root + "/" + point.name;
    if (PointFinished(dir)) {
      // Its results stand in the table only if they are this point's (the sweep file may have changed since).
      if (!comm.is_main()) continue;
      absl::Status same = CheckRecordedExperiment(
          dir, point.experiment, absl::StrCat("sweep point '", point.name, "'"),
          "sweep into another --work_dir, or move " + dir + " away to train the point again");
      if (!same.ok()) return same;
      continue;
    }
    absl::Status ready = CheckBeforeRun(point.experiment, {RunKind::kTrain, comm.size()});
    if (!ready.ok()) return absl::Status(ready.code(), absl::StrCat("sweep point '", point.name, "': ", ready.message()));
  }
  return absl::OkStatus();
}

absl::Status Sweep(const config::SweepPlan& plan, const std::string& root, const Shard& shard,
                   dist::Communicator& comm, const std::string& invocation) {
  if (absl::Status s = CheckPoints(plan, root, shard, comm); !s.ok()) return s;
  std::vector<std::string> dirs, trained, skipped;
  const size_t n = plan.points.size();
  for (size_t i = 0; i < n; ++i) {
    const config::SweepPoint& point = plan.points[i];
    const std::string dir = root + "/" + point.name;
    dirs.push_back(dir);
    if (!shard.Includes(i)) continue;
    bool was_trained = false;
    if (absl::Status s = RunPoint(point, dir, i, n, comm, invocation, &was_trained); !s.ok()) return s;
    (was_trained ? trained : skipped).push_back(point.name);
  }
  if (comm.is_main()) {
    if (!shard.all) {
      PrintShardSummary(shard, trained, skipped);
    } else if (absl::Status s = WriteTable(root, dirs); !s.ok()) {
      return s;
    }
  }
  comm.Barrier();
  return absl::OkStatus();
}

}  // namespace

int RunSweep(const CommandLine& command_line) {
  if (FLAGS_sweep.empty() || FLAGS_work_dir.empty()) {
    std::cerr << "sweep: --sweep=FILE and --work_dir=DIR are required\n";
    return 2;
  }
  if (!FLAGS_config.empty()) {
    std::cerr << "sweep: give --sweep, not --config: the sweep file names its base experiment (base: ...)\n";
    return 2;
  }
  absl::StatusOr<Shard> shard = ParseShard(FLAGS_shard);
  if (!shard.ok()) {
    std::cerr << "error: " << shard.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<config::SweepPlan> plan = config::LoadSweep(FLAGS_sweep, command_line.overrides);
  if (!plan.ok()) {
    std::cerr << "error: " << plan.status().message() << "\n";
    return 1;
  }
  // RunStage's set-up (communicator, thread count, error handling) from the first point's experiment, which is
  // known to validate; every point then trains with its own.
  FLAGS_config = plan->base_path;
  CommandLine first = command_line;
  first.overrides = plan->points.front().overrides;
  return RunStage(first, "sweep", [&](const config::Experiment&, dist::Communicator& comm) {
    if (comm.is_main()) {
      const std::string name = plan->sweep.name().empty() ? FLAGS_sweep : plan->sweep.name();
      std::cerr << absl::StrFormat("== sweep %s: %d points from %s -> %s%s\n", name, plan->points.size(),
                                   plan->base_path, FLAGS_work_dir,
                                   shard->all ? "" : absl::StrCat(" (shard ", FLAGS_shard, ")"));
    }
    return Sweep(*plan, FLAGS_work_dir, *shard, comm, command_line.invocation);
  });
}

}  // namespace zegclip::tools
