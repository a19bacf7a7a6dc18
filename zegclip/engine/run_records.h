// What a stage records about itself in its run directory, and the lock that makes the stage its one writer:
// config.pbtxt (the resolved experiment of the newest segment) and, for the stages that resume, history.jsonl (one
// segment per start: report/run_history.h).
//
// Nothing is written until the stage's inputs have been checked: a training stage records from the trainer's
// BeforeTrain (the resume point loaded against the model), eval once its checkpoint has loaded. A resume whose
// experiment changes what the run trains is refused before anything is built (config/resume_compatibility.h).
//
// Example:
//   absl::StatusOr<std::unique_ptr<RunRecords>> records = RunRecords::Open(
//       {work_dir, "train", config::ResumeStage::kTrain, resume, invocation, comm.is_main()}, experiment);
//   if (!records.ok()) return records.status();
//   trainer.AddHook((*records)->RecordingHook());   // writes config.pbtxt + history.jsonl before the first step
#ifndef ZEGCLIP_ENGINE_RUN_RECORDS_H_
#define ZEGCLIP_ENGINE_RUN_RECORDS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/config/resume_compatibility.h"
#include "zegclip/report/run_directory_lock.h"
#include "zegclip/train/trainer.h"

namespace zegclip::engine {

struct RunRecordsOptions {
  std::string work_dir;
  std::string stage;                            // "train", "pretrain-clip", "eval": what the lock tells others
  std::optional<config::ResumeStage> resumes;   // empty: the stage never resumes (eval): no history
  bool resume = true;                           // --resume: continue from the newest checkpoint
  std::string invocation;                       // the command line, for the history
  bool is_main = true;                          // only rank 0 locks, checks and writes
};

class RunRecords {
 public:
  // Rank 0: creates work_dir, locks it for the stage's life, and when the stage resumes (a checkpoint in work_dir
  // and options.resume) checks `experiment` against the recorded config.pbtxt; with options.resume false, sets
  // the earlier run aside. Other ranks: an object that does nothing.
  static absl::StatusOr<std::unique_ptr<RunRecords>> Open(const RunRecordsOptions& options,
                                                          const config::Experiment& experiment);

  // Writes config.pbtxt and, for a resuming stage, the history segment that starts at `start_iter` (0: a new
  // history); a resume that changed fields prints them.
  absl::Status Record(int64_t start_iter);

  // A trainer hook calling Record(start_iter) from BeforeTrain. `this` must outlive the trainer.
  std::unique_ptr<train::TrainerHook> RecordingHook();

 private:
  RunRecords(RunRecordsOptions options, config::Experiment experiment)
      : options_(std::move(options)), experiment_(std::move(experiment)) {}

  absl::Status CheckResume();
  // A resuming stage started with --noresume in a folder holding checkpoints: the earlier run's files (checkpoints,
  // metrics, records, results) move into <work_dir>/earlier_run_<k>/, so nothing is lost and the new run's
  // checkpoints never mix with the old ones (the newest of which a later resume would pick).
  absl::Status SetAsideEarlierRun();

  RunRecordsOptions options_;
  config::Experiment experiment_;
  std::optional<config::Experiment> recorded_;  // config.pbtxt as the run left it (a resuming stage)
  std::optional<report::RunDirectoryLock> lock_;
};

// OK when `dir`/config.pbtxt records `expected` in every field the results depend on (`reads`; empty: every
// field): finished results in `dir` may then stand for a run of `expected` (quickstart and sweep reuse them).
// Otherwise FailedPrecondition "<who>: <dir> holds the results of another experiment: F is A there but B now
// (N fields differ); <advice>", or the config's own read error.
absl::Status CheckRecordedExperiment(const std::string& dir, const config::Experiment& expected,
                                     const std::string& who, const std::string& advice,
                                     const std::function<bool(const std::string&)>& reads = nullptr);

// OK unless `dir` holds a training run's files (a checkpoint, clip.pt, metrics.jsonl or history.jsonl). The error
// names `flag`, the file found, what `command` would do there (`writes`, e.g. "replace its eval.json") and the way
// out: a folder inside the run, e.g. <dir>/eval_<name>.
absl::Status CheckNotATrainingRun(const std::string& dir, const std::string& flag, const std::string& command,
                                  const std::string& writes);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_RUN_RECORDS_H_
