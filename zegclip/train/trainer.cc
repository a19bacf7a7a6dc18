#include "zegclip/train/trainer.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <regex>

#include <ATen/Context.h>
#include <torch/nn/utils/clip_grad.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "zegclip/train/checkpoint.h"
#include "zegclip/train/cuda_autocast.h"

namespace zegclip::train {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<at::Tensor> Buffers(const torch::nn::Module& model) {
  std::vector<at::Tensor> out;
  for (const auto& item : model.named_buffers(true)) out.push_back(item.value());
  return out;
}

}  // namespace

Trainer::Trainer(TrainerOptions options, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                 const ParamGroups& groups, const LrSchedule& schedule, distributed::Communicator& comm)
    : options_(std::move(options)),
      model_(model),
      optimizer_(optimizer),
      groups_(groups),
      schedule_(schedule),
      comm_(comm) {
  bucketer_ = std::make_unique<distributed::GradientBucketer>(model_.parameters(true), &comm_, options_.buckets);
}

std::string Trainer::CheckpointPath(const std::string& work_dir, int64_t iter) {
  return absl::StrCat(work_dir, "/iter_", iter, ".ckpt");
}

std::vector<int64_t> Trainer::CheckpointIters(const std::string& work_dir) {
  std::vector<int64_t> iters;
  std::error_code ec;
  if (!std::filesystem::is_directory(work_dir, ec)) return iters;
  // At most 18 digits: every such number fits int64 (a longer name is no checkpoint of ours, and must not throw).
  static const std::regex kName("iter_([0-9]{1,18})\\.ckpt");
  for (std::filesystem::directory_iterator it(work_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch match;
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, match, kName)) iters.push_back(std::stoll(match[1].str()));
  }
  std::sort(iters.begin(), iters.end());
  return iters;
}

std::optional<int64_t> Trainer::LatestCheckpointIter(const std::string& work_dir) {
  const std::vector<int64_t> iters = CheckpointIters(work_dir);
  if (iters.empty()) return std::nullopt;
  return iters.back();
}

void Trainer::PruneCheckpoints() {
  unproven_checkpoint_ = false;
  if (options_.keep_last <= 0) return;
  const std::vector<int64_t> iters = CheckpointIters(options_.work_dir);
  const size_t keep = static_cast<size_t>(options_.keep_last);
  for (size_t i = 0; i + keep < iters.size(); ++i) {
    std::error_code ec;  // best effort: a checkpoint that cannot be deleted only costs disk space
    std::filesystem::remove(CheckpointPath(options_.work_dir, iters[i]), ec);
  }
}

namespace {

// Whether process `pid` exists on this host (a temporary file of a live writer must not be removed).
bool ProcessAlive(const std::string& pid_text) {
  char* end = nullptr;
  const long pid = std::strtol(pid_text.c_str(), &end, 10);
  if (pid_text.empty() || *end != '\0' || pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

absl::Status Trainer::CheckNoEarlierRun() const {
  const std::vector<int64_t> iters = CheckpointIters(options_.work_dir);
  if (iters.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      options_.work_dir, " holds checkpoints of an earlier run (", CheckpointPath(options_.work_dir, iters.back()),
      "): starting from iteration 0 would mix them with this run's (a restart would resume the newest, pruning "
      "would delete this run's); resume it, or move its files away first"));
}

void Trainer::RemoveStrayTempFiles() const {
  // iter_<N>.ckpt.tmp.<pid>: a write that a crash interrupted before its rename. Never loaded, only deleted, and
  // only when its writer is gone (the run lock keeps other runs out; the pid check is a second guard).
  static const std::regex kTemp("iter_[0-9]+\\.ckpt\\.tmp\\.(.*)");
  std::error_code ec;
  std::vector<std::filesystem::path> stray;
  for (std::filesystem::directory_iterator it(options_.work_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch match;
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, match, kTemp) && !ProcessAlive(match[1].str())) stray.push_back(it->path());
  }
  for (const auto& path : stray) {
    if (std::filesystem::remove(path, ec) && options_.print) {
      std::printf("trainer: removed %s (an interrupted checkpoint write)\n", path.c_str());
    }
  }
}

// The first step from the newest checkpoint gave a non-finite loss: that checkpoint reproduces the divergence on
// every restart, so it is set aside and the error names the one a restart resumes from.
absl::Status Trainer::Diverged(absl::Status status) {
  if (!comm_.is_main() || !unproven_checkpoint_ || last_saved_iter_ < 0) return status;
  const std::string path = CheckpointPath(options_.work_dir, last_saved_iter_);
  const std::string aside = path + ".diverged";
  std::error_code ec;
  std::filesystem::rename(path, aside, ec);
  if (ec) return status;
  const std::optional<int64_t> previous = LatestCheckpointIter(options_.work_dir);
  const std::string next = previous ? absl::StrCat("a restart resumes from ", CheckpointPath(options_.work_dir,
                                                                                            *previous))
                                    : "no earlier checkpoint is left: a restart starts from iteration 0";
  return absl::Status(status.code(),
                      absl::StrCat(status.message(), "; the first step from ", path, " diverged, so it was moved to ",
                                   aside, " and ", next, " (lower train.lr or set train.grad_clip_norm first, or it "
                                   "diverges the same way)"));
}

absl::Status Trainer::Fail(absl::Status status) {
  if (comm_.size() > 1) comm_.Abort(std::string(status.message()));
  return status;
}

absl::Status Trainer::Run(const StepFn& step) {
  if (absl::Status s = Start(); !s.ok()) return Fail(s);
  for (auto& hook : hooks_) {
    if (absl::Status s = hook->BeforeTrain(iter_); !s.ok()) return Fail(s);
  }
  model_.train();
  while (iter_ < options_.max_iters) {
    absl::Status step_status;
    try {
      step_status = OneStep(step);
    } catch (const std::exception& e) {  // a TORCH_CHECK in the model, a shape error in backward ...
      const c10::Error* c10_error = dynamic_cast<const c10::Error*>(&e);
      const std::string what = c10_error != nullptr ? c10_error->what_without_backtrace() : e.what();
      step_status = absl::InternalError(absl::StrCat("iteration ", iter_, ": ", what.substr(0, what.find('\n'))));
    }
    if (!step_status.ok()) return Fail(diverged_ ? Diverged(step_status) : step_status);
    if (unproven_checkpoint_ && comm_.is_main()) PruneCheckpoints();  // a finite step from the newest: now prune
    const int64_t done = iter_;
    const bool last = done == options_.max_iters;
    if (options_.log_interval > 0 && (done % options_.log_interval == 0 || last)) {
      if (absl::Status s = LogWindow(done); !s.ok()) return Fail(s);
    }
    if (options_.checkpoint_interval > 0 && done % options_.checkpoint_interval == 0) {
      if (absl::Status s = SaveAt(done); !s.ok()) return Fail(s);
    }
    if (eval_ && options_.eval_interval > 0 && done % options_.eval_interval == 0) {
      if (absl::Status s = Evaluate(done); !s.ok()) return Fail(s);
    }
  }
  if (last_saved_iter_ != iter_) {
    if (absl::Status s = SaveAt(iter_); !s.ok()) return Fail(s);
  }
  if (comm_.is_main()) PruneCheckpoints();  // the run ended with finite losses
  return absl::OkStatus();
}

absl::Status Trainer::Start() {
  if (options_.work_dir.empty()) return absl::InvalidArgumentError("trainer: work_dir is empty");
  if (options_.max_iters <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("trainer: max_iters must be > 0 (got ", options_.max_iters, ")"));
  }
  if (comm_.is_main()) {
    std::error_code ec;
    std::filesystem::create_directories(options_.work_dir, ec);
    if (ec) return absl::InternalError(absl::StrCat(options_.work_dir, ": cannot create the work dir: ", ec.message()));
    if (!lock_) {
      absl::StatusOr<report::RunDirectoryLock> lock = report::RunDirectoryLock::Acquire(options_.work_dir, "train");
      if (!lock.ok()) return lock.status();
      lock_.emplace(std::move(*lock));
    }
    if (!options_.resume) {
      if (absl::Status s = CheckNoEarlierRun(); !s.ok()) return s;
    }
    if (absl::Status s = metrics_.Open(options_.work_dir + "/metrics.jsonl"); !s.ok()) return s;
    RemoveStrayTempFiles();
    if (options_.bf16_autocast && !at::hasCUDA()) {
      std::fprintf(stderr, "trainer: bf16 autocast needs CUDA; this machine trains in fp32\n");
    }
  }
  comm_.Barrier();
  if (options_.resume) {
    if (absl::Status s = Resume(); !s.ok()) return s;
  }
  // Every rank starts from rank 0's weights and buffers (a no-op after a resume, when all loaded one file).
  bucketer_->BroadcastParameters();
  distributed::BroadcastTensors(comm_, Buffers(model_));
  window_ = Window{};
  return absl::OkStatus();
}

absl::Status Trainer::Resume() {
  // Rank 0 picks the checkpoint, so ranks agree even if their views of the folder differ.
  const std::optional<int64_t> found = comm_.is_main() ? LatestCheckpointIter(options_.work_dir) : std::nullopt;
  const int64_t latest = static_cast<int64_t>(comm_.Broadcast(found.has_value() ? static_cast<double>(*found) : -1));
  if (latest < 0) return absl::OkStatus();
  const std::string path = CheckpointPath(options_.work_dir, latest);
  TrainingState state;
  if (absl::Status s = LoadCheckpoint(path, model_, &optimizer_, &state); !s.ok()) return ResumeError(path, s);
  iter_ = state.iter;
  last_saved_iter_ = state.iter;
  unproven_checkpoint_ = true;  // if its first step diverges, it is set aside like a fresh one
  if (state.rng_states.size() == static_cast<size_t>(comm_.size())) {
    if (absl::Status s = RestoreRngState(state.rng_states[comm_.rank()]); !s.ok()) {
      return absl::DataLossError(absl::StrCat(path, ": ", s.message()));
    }
  } else if (comm_.is_main()) {
    std::fprintf(stderr, "trainer: %s was written by %zu rank(s), this job has %d: random streams restart\n",
                 path.c_str(), state.rng_states.size(), comm_.size());
  }
  if (restore_extra_) {
    if (absl::Status s = restore_extra_(state.metadata); !s.ok()) return s;
  }
  if (comm_.is_main()) {
    if (options_.print) std::printf("trainer: resumed from %s at iteration %lld\n", path.c_str(),
                                    static_cast<long long>(iter_));
    return metrics_.Write({{"mode", "resume"}, {"checkpoint", path}}, {{"iter", static_cast<double>(iter_)}});
  }
  return absl::OkStatus();
}

absl::Status Trainer::ResumeError(const std::string& path, const absl::Status& status) const {
  // A checkpoint that does not fit the model is the experiment's problem, not the file's: no other file helps.
  if (absl::IsInvalidArgument(status) || !comm_.is_main()) return status;
  std::vector<int64_t> iters = CheckpointIters(options_.work_dir);
  std::string good;
  for (auto it = iters.rbegin(); it != iters.rend(); ++it) {
    const std::string candidate = CheckpointPath(options_.work_dir, *it);
    if (candidate != path && VerifyCheckpoint(candidate).ok()) {
      good = candidate;
      break;
    }
  }
  const std::string advice =
      good.empty() ? "no other checkpoint in the work dir is good: start over with --noresume or another --work_dir"
                   : absl::StrCat("the newest good checkpoint is ", good, ": move ", path, " aside (e.g. to ", path,
                                  ".bad) and start again to resume from it");
  return absl::Status(status.code(), absl::StrCat("cannot resume: ", status.message(), "; ", advice));
}

absl::Status Trainer::OneStep(const StepFn& step) {
  const auto start = Clock::now();
  for (auto& hook : hooks_) {
    if (absl::Status s = hook->BeforeStep(iter_); !s.ok()) return s;
  }
  groups_.ApplyLr(optimizer_, schedule_, iter_);
  optimizer_.zero_grad();
  absl::StatusOr<StepOutput> out;
  {
    CudaBf16Autocast autocast(options_.bf16_autocast);  // the forward only, as torch.autocast
    out = step();
  }
  if (!out.ok()) return absl::Status(out.status().code(), absl::StrCat("iteration ", iter_, ": ", out.status().message()));
  if (!out->loss.defined() || out->loss.numel() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("iteration ", iter_, ": the step's loss must be a scalar tensor"));
  }
  const double loss = out->loss.item<double>();
  if (!std::isfinite(loss)) {
    diverged_ = true;
    return absl::InvalidArgumentError(
        absl::StrCat("iteration ", iter_, ": the loss is ", loss, " on rank ", comm_.rank()));
  }
  out->loss.backward();
  bucketer_->AllReduceGradients();
  double grad_norm = std::numeric_limits<double>::quiet_NaN();
  if (options_.grad_clip_norm > 0) {
    grad_norm = torch::nn::utils::clip_grad_norm_(bucketer_->trainable(), options_.grad_clip_norm);
  }
  optimizer_.step();
  ++iter_;

  StepRecord record{iter_, optimizer_.param_groups()[0].options().get_lr(), loss, grad_norm, 0, &*out};
  record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  window_.steps += 1;
  window_.loss += loss;
  window_.seconds += record.seconds;
  window_.grad_norm += grad_norm;
  for (const auto& [name, value] : out->scalars) window_.scalars[name] += value;
  for (auto& hook : hooks_) {
    if (absl::Status s = hook->AfterStep(record); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Trainer::LogWindow(int64_t iter) {
  // Means over the window on this rank, then over the ranks (one collective; key sets must agree).
  std::vector<std::string> keys;
  for (const auto& [name, value] : window_.scalars) keys.push_back(name);
  const std::string joined = absl::StrJoin(keys, ",");
  for (const std::string& other : comm_.AllGather(joined)) {
    if (other != joined) {
      return absl::InvalidArgumentError(absl::StrCat("iteration ", iter, ": ranks logged different scalars (",
                                                     joined, " vs ", other, "): StepOutput::scalars must have the "
                                                     "same keys on every rank"));
    }
  }
  const double n = static_cast<double>(std::max<int64_t>(window_.steps, 1));
  std::vector<double> local = {window_.loss / n, window_.seconds / n};
  for (const std::string& key : keys) local.push_back(window_.scalars[key] / n);
  const std::vector<double> mean = comm_.AllReduceMean(local);
  const double grad_norm = window_.grad_norm / n;  // identical on every rank (computed after averaging)
  window_ = Window{};
  if (!comm_.is_main()) return absl::OkStatus();

  std::vector<std::pair<std::string, double>> numbers = {
      {"iter", static_cast<double>(iter)}, {"lr", optimizer_.param_groups()[0].options().get_lr()}, {"loss", mean[0]}};
  for (size_t i = 0; i < keys.size(); ++i) numbers.emplace_back(keys[i], mean[2 + i]);
  if (options_.grad_clip_norm > 0) numbers.emplace_back("grad_norm", grad_norm);
  numbers.emplace_back("time", mean[1]);
  numbers.emplace_back("world_size", comm_.size());
  if (options_.print) std::printf("%s\n", MetricsLog::FormatLine({{"mode", "train"}}, numbers).c_str());
  return metrics_.Write({{"mode", "train"}}, numbers);
}

absl::Status Trainer::SaveAt(int64_t iter) {
  TrainingState state;
  state.iter = iter;
  state.rng_states = comm_.AllGather(CaptureRngState());  // collective: every rank takes part
  state.metadata = options_.metadata;
  if (save_extra_) {
    for (const auto& [key, value] : save_extra_()) state.metadata[key] = value;
  }
  last_saved_iter_ = iter;
  if (!comm_.is_main()) return absl::OkStatus();
  if (absl::Status s = SaveCheckpoint(CheckpointPath(options_.work_dir, iter), model_, &optimizer_, state); !s.ok()) {
    return s;
  }
  unproven_checkpoint_ = true;  // older ones are pruned after the next finite step (or at the end)
  return absl::OkStatus();
}

absl::Status Trainer::Evaluate(int64_t iter) {
  model_.eval();
  absl::StatusOr<std::map<std::string, double>> metrics = eval_(iter);
  model_.train();
  if (!metrics.ok()) {
    return absl::Status(metrics.status().code(), absl::StrCat("evaluation at iteration ", iter, ": ",
                                                              metrics.status().message()));
  }
  if (!comm_.is_main()) return absl::OkStatus();
  std::vector<std::pair<std::string, double>> numbers = {{"iter", static_cast<double>(iter)}};
  for (const auto& [name, value] : *metrics) numbers.emplace_back(name, value);
  if (options_.print) std::printf("%s\n", MetricsLog::FormatLine({{"mode", "eval"}}, numbers).c_str());
  return metrics_.Write({{"mode", "eval"}}, numbers);
}

}  // namespace zegclip::train
