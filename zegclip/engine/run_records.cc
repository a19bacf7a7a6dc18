#include "zegclip/engine/run_records.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/base/path_check.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/report/run_history.h"
#include "zegclip/report/run_manifest.h"

namespace zegclip::engine {
namespace {

// config.pbtxt files are a few KiB.
constexpr int64_t kMaxConfigBytes = int64_t{1} << 20;

// `advice` ends the error of a file that does not parse.
absl::StatusOr<config::Experiment> ReadRecordedConfig(const std::string& path, const std::string& advice) {
  if (absl::Status s = base::CheckReadableFile(path, "run config"); !s.ok()) return s;
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (static_cast<int64_t>(text.size()) > kMaxConfigBytes) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": larger than 1 MiB; not a run's config.pbtxt"));
  }
  absl::StatusOr<config::Experiment> e = config::ParseExperimentText(text, path);
  if (!e.ok()) {
    return absl::DataLossError(absl::StrCat(e.status().message(), " (the run's recorded config: ", advice, ")"));
  }
  return e;
}

std::string ChangeList(const std::vector<report::FieldDifference>& changes) {
  std::vector<std::string> parts;
  for (const report::FieldDifference& d : changes) parts.push_back(absl::StrCat(d.path, " ", d.a, " -> ", d.b));
  return absl::StrJoin(parts, ", ");
}

// What a training run leaves in its folder (checkpoints match by prefix: iter_N.ckpt, iter_N.ckpt.diverged).
bool IsRunFile(const std::string& name) {
  static const std::vector<std::string> files = {"metrics.jsonl", "config.pbtxt", "history.jsonl", "eval.json",
                                                 "manifest.json", "report.md",    "report.html",   "examples"};
  return absl::StartsWith(name, "iter_") || std::find(files.begin(), files.end(), name) != files.end();
}

// The first free <dir>/earlier_run_<k>.
absl::StatusOr<std::string> FreeEarlierRunFolder(const std::string& dir) {
  for (int k = 1; k < 10000; ++k) {
    const std::string candidate = absl::StrCat(dir, "/earlier_run_", k);
    absl::StatusOr<base::PathType> type = base::TypeOf(candidate, "folder");
    if (!type.ok()) return type.status();
    if (*type == base::PathType::kMissing) return candidate;
  }
  return absl::ResourceExhaustedError(absl::StrCat(dir, ": earlier_run_1 .. earlier_run_9999 all exist"));
}

class RecordingHook : public train::TrainerHook {
 public:
  explicit RecordingHook(RunRecords* records) : records_(records) {}
  absl::Status BeforeTrain(int64_t start_iter) override { return records_->Record(start_iter); }

 private:
  RunRecords* records_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RunRecords>> RunRecords::Open(const RunRecordsOptions& options,
                                                              const config::Experiment& experiment) {
  std::unique_ptr<RunRecords> records(new RunRecords(options, experiment));
  if (!options.is_main) return records;
  if (absl::Status s = base::CreateDirectories(options.work_dir, "--work_dir"); !s.ok()) return s;
  absl::StatusOr<report::RunDirectoryLock> lock = report::RunDirectoryLock::Acquire(options.work_dir, options.stage);
  if (!lock.ok()) return lock.status();
  records->lock_.emplace(std::move(*lock));
  if (absl::Status s = records->CheckResume(); !s.ok()) return s;
  if (absl::Status s = records->SetAsideEarlierRun(); !s.ok()) return s;
  return records;
}

absl::Status RunRecords::SetAsideEarlierRun() {
  if (!options_.resumes || options_.resume || train::Trainer::CheckpointIters(options_.work_dir).empty()) {
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> names = base::ListDirectory(options_.work_dir, "--work_dir");
  if (!names.ok()) return names.status();
  absl::StatusOr<std::string> aside = FreeEarlierRunFolder(options_.work_dir);
  if (!aside.ok()) return aside.status();
  if (absl::Status s = base::CreateDirectories(*aside, "folder for the earlier run"); !s.ok()) return s;
  int moved = 0;
  for (const std::string& name : *names) {
    if (!IsRunFile(name)) continue;
    std::error_code error;
    std::filesystem::rename(options_.work_dir + "/" + name, *aside + "/" + name, error);
    if (error) return base::PathError("cannot move the earlier run's file", options_.work_dir + "/" + name, error);
    ++moved;
  }
  std::cout << options_.stage << ": --noresume: the earlier run's " << moved << " file(s) moved to " << *aside
            << std::endl;
  return absl::OkStatus();
}

absl::Status RunRecords::CheckResume() {
  if (!options_.resumes || !options_.resume) return absl::OkStatus();
  const std::optional<int64_t> start = train::Trainer::LatestCheckpointIter(options_.work_dir);
  const std::string path = options_.work_dir + "/config.pbtxt";
  absl::StatusOr<base::PathType> type = base::TypeOf(path, "run config");
  if (!type.ok()) return type.status();
  if (!start || *type == base::PathType::kMissing) return absl::OkStatus();  // nothing recorded to continue
  absl::StatusOr<config::Experiment> recorded =
      ReadRecordedConfig(path, "restore it, or pass --noresume to start the run again");
  if (!recorded.ok()) return recorded.status();
  recorded_ = std::move(*recorded);
  return config::CheckResumeCompatible(*recorded_, experiment_, {*options_.resumes, options_.work_dir, *start})
      .status();
}

absl::Status RunRecords::Record(int64_t start_iter) {
  if (!options_.is_main) return absl::OkStatus();
  std::vector<report::FieldDifference> changes;
  if (start_iter > 0 && recorded_) {
    absl::StatusOr<std::vector<report::FieldDifference>> diff =
        config::CheckResumeCompatible(*recorded_, experiment_, {*options_.resumes, options_.work_dir, start_iter});
    if (!diff.ok()) return diff.status();
    changes = std::move(*diff);
  }
  absl::Status s = base::WriteFileAtomically(options_.work_dir + "/config.pbtxt", config::ToText(experiment_));
  if (!s.ok() || !options_.resumes) return s;
  const std::string history = options_.work_dir + "/history.jsonl";
  s = report::RecordRunSegment(history, {start_iter, report::UtcTimeNow(), options_.invocation, changes});
  if (s.ok() && !changes.empty()) {
    std::cout << options_.stage << ": resuming " << options_.work_dir << " at iteration " << start_iter << " with "
              << ChangeList(changes) << " (recorded in " << history << ")" << std::endl;
  }
  return s;
}

std::unique_ptr<train::TrainerHook> RunRecords::RecordingHook() {
  return std::make_unique<engine::RecordingHook>(this);
}

absl::Status CheckRecordedExperiment(const std::string& dir, const config::Experiment& expected,
                                     const std::string& who, const std::string& advice,
                                     const std::function<bool(const std::string&)>& reads) {
  absl::StatusOr<config::Experiment> recorded = ReadRecordedConfig(dir + "/config.pbtxt", advice);
  if (!recorded.ok()) return absl::Status(recorded.status().code(), absl::StrCat(who, ": ", recorded.status().message()));
  std::vector<report::FieldDifference> diff;
  for (report::FieldDifference& d : report::DiffMessages(*recorded, expected)) {
    if (!reads || reads(d.path)) diff.push_back(std::move(d));
  }
  if (diff.empty()) return absl::OkStatus();
  const std::string count = diff.size() == 1 ? "" : absl::StrCat(" (", diff.size(), " fields differ)");
  return absl::FailedPreconditionError(absl::StrCat(who, ": ", dir, " holds the results of another experiment: ",
                                                    diff[0].path, " is ", diff[0].a, " there but ", diff[0].b, " now",
                                                    count, "; ", advice));
}

absl::Status CheckNotATrainingRun(const std::string& dir, const std::string& flag, const std::string& command,
                                  const std::string& writes) {
  absl::StatusOr<base::PathType> folder = base::TypeOf(dir, flag);
  if (!folder.ok()) return folder.status();
  if (*folder == base::PathType::kMissing) return absl::OkStatus();
  std::vector<std::string> evidence;
  const std::vector<int64_t> iters = train::Trainer::CheckpointIters(dir);
  if (!iters.empty()) evidence.push_back(train::Trainer::CheckpointPath(dir, iters.back()));
  for (const char* name : {"clip.pt", "metrics.jsonl", "history.jsonl"}) {
    absl::StatusOr<base::PathType> type = base::TypeOf(dir + "/" + name, "run file");
    if (!type.ok()) return type.status();
    if (*type != base::PathType::kMissing) evidence.push_back(dir + "/" + name);
  }
  if (evidence.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      flag, "=", dir, " is a training run (it holds ", evidence.front(), "): ", command, " would ", writes,
      "; write into a folder of its own, e.g. ", flag,
      "=", dir, "/", command, "_<name>"));
}

}  // namespace zegclip::engine
