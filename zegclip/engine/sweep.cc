#include "zegclip/engine/sweep.h"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "zegclip/engine/report_script.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/engine/run_preflight.h"
#include "zegclip/engine/run_records.h"
#include "zegclip/engine/train_segmentor.h"
#include "zegclip/base/atomic_file.h"

namespace zegclip::engine {

// "I/N" with integers 0 <= I < N; digits only, so that "+1/2" or "1/2 " are refused rather than guessed at.
absl::StatusOr<SweepShard> ParseSweepShard(const std::string& text) {
  if (text.empty()) return SweepShard{};
  const std::vector<std::string> parts = absl::StrSplit(text, '/');
  SweepShard shard;
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

namespace {


// The axis values only: the sweep table makes one column of every key.
std::string PointJson(const config::SweepPoint& point) {
  nlohmann::ordered_json j;
  for (const auto& [axis, value] : point.values) j[axis] = value;
  return j.dump(2) + "\n";
}

absl::Status TrainPoint(const config::SweepPoint& point, const std::string& dir, distributed::Communicator& comm,
                        const std::string& invocation) {
  if (comm.is_main()) {
    absl::Status s = MakeDirectories(dir);
    if (s.ok()) s = base::WriteFileAtomically(dir + "/sweep_point.json", PointJson(point));
    if (!s.ok()) return s;
  }
  comm.Barrier();
  absl::StatusOr<EvalSummary> summary = TrainSegmentor(point.experiment, StageOptions{dir, true, invocation}, comm);
  if (!summary.ok()) return summary.status();
  // Flushed: the report script that runs next writes to the same stdout.
  if (comm.is_main()) std::cout << point.name << "\n" << FormatMetrics(summary->record) << std::endl;
  return absl::OkStatus();
}

// A point is finished once its manifest is written: the final evaluation writes eval.json, examples/ and then
// manifest.json, so a sweep killed between the two retrains nothing (the newest checkpoint is the last one) but
// evaluates again.
bool PointFinished(const std::string& dir) {
  return FileExists(dir + "/eval.json") && FileExists(dir + "/manifest.json");
}

// The report is written after the manifest; a sweep killed in between left a finished point without it.
absl::Status RepairReport(const config::SweepPoint& point, const std::string& dir, distributed::Communicator& comm) {
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
                      distributed::Communicator& comm, const std::string& invocation, bool* trained) {
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
void PrintShardSummary(const SweepShard& shard, const std::vector<std::string>& trained,
                       const std::vector<std::string>& skipped) {
  std::cout << absl::StrFormat("\nshard %d/%d: trained %d point(s), %d already finished\n", shard.index,
                               shard.count, trained.size(), skipped.size());
  for (const std::string& name : trained) std::cout << "  trained: " << name << "\n";
  for (const std::string& name : skipped) std::cout << "  finished before: " << name << "\n";
  std::cout << "no table written: run the sweep without --shard once every shard is done" << std::endl;
}

// Every point this shard will train passes train's checks (engine/run_preflight.h) before the first one trains: a
// point that cannot start must not cost the points before it.
absl::Status CheckPoints(const config::SweepPlan& plan, const std::string& root, const SweepShard& shard,
                         distributed::Communicator& comm) {
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

}  // namespace

absl::Status Sweep(const config::SweepPlan& plan, const SweepOptions& options, distributed::Communicator& comm) {
  const std::string& root = options.work_dir;
  const SweepShard& shard = options.shard;
  const std::string& invocation = options.invocation;
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

}  // namespace zegclip::engine
