#include "zegclip/engine/quickstart.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <system_error>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "zegclip/config/resume_compatibility.h"
#include "zegclip/engine/evaluate.h"
#include "zegclip/engine/pretrain_clip.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/engine/run_records.h"
#include "zegclip/engine/train_segmentor.h"
#include "zegclip/base/path_check.h"
#include "zegclip/report/eval_record.h"
#include "zegclip/report/pretrain_record.h"
#include "zegclip/report/run_directory_lock.h"

namespace zegclip::engine {
namespace {

// A stage's record that cannot be read: its own error, and the way out.
absl::Status Unreadable(const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(status.message(), "; rerun with --force to start over"));
}

absl::StatusOr<report::PretrainRecord> ReusedPretrain(const std::string& dir) {
  absl::StatusOr<report::PretrainRecord> r = report::ReadPretrainRecord(dir + "/pretrain.json");
  if (!r.ok()) return Unreadable(r.status());
  // The files beside the record, wherever the run was started from.
  r->checkpoint = dir + "/clip.pt";
  r->vocabulary = dir + "/world_bpe.txt.gz";
  return r;
}

absl::StatusOr<EvalSummary> ReusedEval(const std::string& dir) {
  EvalSummary s;
  s.eval_json = dir + "/eval.json";
  absl::StatusOr<report::EvalRecord> r = report::ReadEvalRecord(s.eval_json);
  if (!r.ok()) return Unreadable(r.status());
  s.record = *std::move(r);
  return s;
}

// The fields each stage's results depend on. The CLIP: its architecture, its world and its schedule.
bool PretrainReads(const std::string& field) {
  return config::FixedOnResume(config::ResumeStage::kPretrain, field) || absl::StartsWith(field, "pretrain.");
}

// The baseline: the CLIP, the data and the evaluation; not the head, its loss or its training.
bool BaselineReads(const std::string& field) {
  static const std::vector<std::string> head = {"train.",        "pretrain.",          "model.prompt_",
                                                "model.query",   "model.decoder.",     "model.loss.",
                                                "model.seen_score_offset"};
  return std::none_of(head.begin(), head.end(), [&](const std::string& p) { return absl::StartsWith(field, p); });
}

// ZegCLIP: everything but the CLIP's pre-training, which it reads through model.clip.checkpoint.
bool TrainReads(const std::string& field) { return !absl::StartsWith(field, "pretrain."); }

// Whether a stage's results exist and may be reused: only when they are of this experiment in every field they
// depend on (the config or a --set may have changed since), else an error that asks for --force.
absl::StatusOr<bool> Done(const std::string& path, const config::Experiment& stage_experiment,
                          const std::function<bool(const std::string&)>& reads) {
  if (!FileExists(path)) return false;
  const std::string dir = std::filesystem::path(path).parent_path().string();
  absl::Status same = CheckRecordedExperiment(dir, stage_experiment, "quickstart",
                                              "rerun with --force to start over, or choose another --work_dir", reads);
  if (!same.ok()) return same;
  return true;
}

// Rank 0 decides, so that every rank reuses or runs the same stages.
absl::StatusOr<bool> Reused(distributed::Communicator& comm, const std::string& path, const config::Experiment& e,
                            const std::function<bool(const std::string&)>& reads) {
  absl::StatusOr<bool> done = comm.is_main() ? Done(path, e, reads) : absl::StatusOr<bool>(false);
  if (!done.ok()) return done.status();
  return comm.Broadcast(*done ? 1.0 : 0.0) > 0.5;
}

void Announce(distributed::Communicator& comm, const std::string& line) {
  if (comm.is_main()) std::cerr << "== " << line << "\n";
}

// "DEEP_PROMPT + NEL + RELATIONSHIP, INDUCTIVE": the design choices the run used, from its config.
std::string Designs(const config::ModelConfig& m) {
  return absl::StrFormat("%s + %s + %s, %s", config::EncoderMode_Name(m.encoder_mode()),
                         config::LossKind_Name(m.loss().kind()), config::QueryKind_Name(m.query()),
                         config::Setting_Name(m.setting()));
}

std::string Summary(const std::string& root, const std::string& designs, const report::PretrainRecord& clip,
                    const EvalSummary& baseline, const EvalSummary& zegclip) {
  const report::EvalRecord& m = zegclip.record;
  const report::EvalRecord& b = baseline.record;
  return absl::StrFormat(
      "\nzegclip quickstart: %s\n"
      "  report:   %s/zegclip/report.html\n"
      "  CLIP retrieval (image→text top-1): seen %.1f  unseen %.1f\n"
      "  ZegCLIP (%s): mIoU(S) %.1f  mIoU(U) %.1f  hIoU %.1f  (pAcc %.1f)\n"
      "    on unseen pixels: right colour %.1f%%, right pattern %.1f%% (the pattern comes from CLIP's text side)\n"
      "  training-free baseline (dense similarity): mIoU(S) %.1f  mIoU(U) %.1f  hIoU %.1f\n",
      root, root, clip.retrieval_seen, clip.retrieval_unseen, designs, m.miou_seen, m.miou_unseen, m.hiou,
      m.pixel_accuracy, m.unseen_pixels_right_colour, m.unseen_pixels_right_pattern, b.miou_seen, b.miou_unseen,
      b.hiou);
}

// Wall time of each stage, printed at the end ("reused" for a stage whose results were already there).
class StageClock {
 public:
  void Start() { start_ = std::chrono::steady_clock::now(); }
  void Stop(const std::string& stage, bool reused) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    total_ += reused ? 0 : seconds;
    parts_.push_back(reused ? stage + " reused" : absl::StrFormat("%s %s", stage, Duration(seconds)));
  }
  std::string Line() const {
    return absl::StrCat("  time: ", absl::StrJoin(parts_, ", "), " (", Duration(total_), " in all)\n");
  }

 private:
  static std::string Duration(double seconds) {
    const long s = std::lround(seconds);
    return s < 60 ? absl::StrFormat("%d s", s) : absl::StrFormat("%dm%02ds", s / 60, s % 60);
  }
  std::chrono::steady_clock::time_point start_;
  double total_ = 0;
  std::vector<std::string> parts_;
};

}  // namespace

absl::Status Quickstart(config::Experiment e, const QuickstartOptions& options, distributed::Communicator& comm) {
  const std::string& root = options.work_dir;
  // Every stage resumes: an interrupted quickstart is simply started again (--force is the way to start over).
  const auto stage = [&](const std::string& dir) { return StageOptions{dir, /*resume=*/true, options.invocation}; };
  const std::string clip_dir = root + "/clip", baseline_dir = root + "/baseline", zegclip_dir = root + "/zegclip";
  // One quickstart per folder: --force below must not remove the stage folders of one still running.
  std::optional<report::RunDirectoryLock> lock;
  if (comm.is_main()) {
    absl::Status locked = base::CreateDirectories(root, "--work_dir");
    if (locked.ok()) {
      absl::StatusOr<report::RunDirectoryLock> held = report::RunDirectoryLock::Acquire(root, "quickstart");
      if (held.ok()) lock.emplace(std::move(*held));
      locked = held.status();
    }
    if (!locked.ok()) return locked;  // the stage runner aborts the other ranks
  }
  // --force starts over: the stages' checkpoints would otherwise be resumed. Only the stage folders are removed.
  absl::Status removed;
  if (options.force && comm.is_main()) {
    for (const std::string& dir : {clip_dir, baseline_dir, zegclip_dir}) {
      std::error_code error;
      std::filesystem::remove_all(dir, error);
      if (error && removed.ok()) removed = base::PathError("--force: cannot remove stage folder", dir, error);
    }
  }
  comm.Barrier();
  if (!removed.ok()) return removed;
  StageClock clock;
  Announce(comm, "1/3 pre-training a tiny CLIP on the synthetic world -> " + clip_dir);
  clock.Start();
  absl::StatusOr<bool> done = Reused(comm, clip_dir + "/pretrain.json", e, PretrainReads);
  if (!done.ok()) return done.status();
  absl::StatusOr<report::PretrainRecord> clip =
      *done ? ReusedPretrain(clip_dir) : PretrainClip(e, stage(clip_dir), comm);
  if (!clip.ok()) return clip.status();
  clock.Stop("CLIP pre-training", *done);
  e.mutable_model()->mutable_clip()->set_checkpoint(clip->checkpoint);
  e.mutable_model()->mutable_clip()->set_bpe_vocab(clip->vocabulary);
  Announce(comm, "2/3 training-free baseline (dense patch-text similarity) -> " + baseline_dir);
  clock.Start();
  done = Reused(comm, baseline_dir + "/eval.json", BaselineExperiment(e), BaselineReads);
  if (!done.ok()) return done.status();
  absl::StatusOr<EvalSummary> baseline =
      *done ? ReusedEval(baseline_dir) : Evaluate(e, EvalTarget{"baseline", ""}, stage(baseline_dir), comm);
  if (!baseline.ok()) return baseline.status();
  clock.Stop("baseline", *done);
  Announce(comm, "3/3 training ZegCLIP on the seen classes -> " + zegclip_dir);
  clock.Start();
  done = Reused(comm, zegclip_dir + "/eval.json", e, TrainReads);
  if (!done.ok()) return done.status();
  absl::StatusOr<EvalSummary> zegclip = *done ? ReusedEval(zegclip_dir) : TrainSegmentor(e, stage(zegclip_dir), comm);
  if (!zegclip.ok()) return zegclip.status();
  clock.Stop("ZegCLIP training and evaluation", *done);
  if (comm.is_main()) std::cout << Summary(root, Designs(e.model()), *clip, *baseline, *zegclip) << clock.Line();
  return absl::OkStatus();
}

}  // namespace zegclip::engine
