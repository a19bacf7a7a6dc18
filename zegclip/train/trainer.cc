#include "zegclip/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include <ATen/Context.h>
#include <torch/nn/utils/clip_grad.h>

#include "absl/strings/str_cat.h"
#include "zegclip/base/exception_text.h"
#include "zegclip/train/checkpoint.h"
#include "zegclip/train/rng_state.h"
#include "zegclip/train/cpu_autocast.h"
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
    : options_(std::move(options)), model_(model), optimizer_(optimizer), comm_(comm), folder_(options_.work_dir) {
  bucketer_ = std::make_unique<distributed::GradientBucketer>(model_.parameters(true), &comm_, options_.buckets);
  AddHook(std::make_unique<LrScheduler>(optimizer_, groups, schedule));
  if (options_.log_interval > 0) AddHook(std::make_unique<MetricsWriter>(options_.log_interval));
  if (options_.checkpoint_interval > 0) AddHook(std::make_unique<PeriodicCheckpointer>(options_.checkpoint_interval));
}

void Trainer::AddHook(std::unique_ptr<TrainerHook> hook) {
  hook->trainer_ = this;
  const auto after = std::upper_bound(hooks_.begin(), hooks_.end(), hook->priority(),
                                      [](HookPriority p, const auto& h) { return p < h->priority(); });
  hooks_.insert(after, std::move(hook));
}

std::string Trainer::CheckpointPath(const std::string& work_dir, int64_t iter) {
  return CheckpointFolder(work_dir).Path(iter);
}

std::vector<int64_t> Trainer::CheckpointIters(const std::string& work_dir) {
  return CheckpointFolder(work_dir).Iters();
}

std::optional<int64_t> Trainer::LatestCheckpointIter(const std::string& work_dir) {
  return CheckpointFolder(work_dir).Latest();
}

void Trainer::PruneCheckpoints() {
  unproven_checkpoint_ = false;
  folder_.Prune(options_.keep_last);
}

// The first step from the newest checkpoint gave a non-finite loss: that checkpoint reproduces the divergence on
// every restart, so it is set aside and the error names the one a restart resumes from.
absl::Status Trainer::Diverged(absl::Status status) {
  if (!comm_.is_main() || !unproven_checkpoint_ || last_saved_iter_ < 0) return status;
  const std::optional<std::string> aside = folder_.SetAside(last_saved_iter_);
  if (!aside) return status;
  const std::optional<int64_t> previous = folder_.Latest();
  const std::string next = previous ? absl::StrCat("a restart resumes from ", folder_.Path(*previous))
                                    : "no earlier checkpoint is left: a restart starts from iteration 0";
  return absl::Status(status.code(),
                      absl::StrCat(status.message(), "; the first step from ", folder_.Path(last_saved_iter_),
                                   " diverged, so it was moved to ", *aside, " and ", next,
                                   " (lower train.lr or set train.grad_clip_norm first, or it diverges the same way)"));
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
      step_status = absl::InternalError(absl::StrCat("iteration ", iter_, ": ", base::ExceptionFirstLine(e)));
    }
    if (!step_status.ok()) return Fail(diverged_ ? Diverged(step_status) : step_status);
  }
  if (last_saved_iter_ != iter_) {
    if (absl::Status s = SaveCheckpoint(iter_); !s.ok()) return Fail(s);
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
      if (absl::Status s = folder_.CheckNoEarlierRun(); !s.ok()) return s;
    }
    if (absl::Status s = metrics_.Open(options_.work_dir + "/metrics.jsonl"); !s.ok()) return s;
    for (const std::string& path : folder_.RemoveStrayTempFiles()) {
      if (options_.print) std::printf("trainer: removed %s (an interrupted checkpoint write)\n", path.c_str());
    }
    if (options_.bf16_autocast && !at::hasCUDA() && !CpuBf16Autocast::Supported()) {
      std::fprintf(stderr,
                   "trainer: bf16 autocast needs CUDA or a CPU with AVX-512 BF16; this machine trains in fp32\n");
    }
  }
  comm_.Barrier();
  if (options_.resume) {
    if (absl::Status s = Resume(); !s.ok()) return s;
  }
  // Every rank starts from rank 0's weights and buffers (a no-op after a resume, when all loaded one file).
  bucketer_->BroadcastParameters();
  distributed::BroadcastTensors(comm_, Buffers(model_));
  return absl::OkStatus();
}

absl::Status Trainer::Resume() {
  // Rank 0 picks the checkpoint, so ranks agree even if their views of the folder differ.
  const std::optional<int64_t> found = comm_.is_main() ? folder_.Latest() : std::nullopt;
  const int64_t latest = static_cast<int64_t>(comm_.Broadcast(found.has_value() ? static_cast<double>(*found) : -1));
  if (latest < 0) return absl::OkStatus();
  const std::string path = folder_.Path(latest);
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
  for (auto& hook : hooks_) {
    if (absl::Status s = hook->RestoreState(state.metadata); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
    }
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
  std::vector<int64_t> iters = folder_.Iters();
  std::string good;
  for (auto it = iters.rbegin(); it != iters.rend(); ++it) {
    const std::string candidate = folder_.Path(*it);
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
  bucketer_->ZeroGrad();  // the optimizer's zero_grad, and with several ranks: gradients into the allreduce buckets
  absl::StatusOr<StepOutput> out;
  {
    // The forward only, as torch.autocast; on the CPU where it computes bf16 natively (cpu_autocast.h).
    CudaBf16Autocast cuda(options_.bf16_autocast);
    CpuBf16Autocast cpu(options_.bf16_autocast && !cuda.active());
    out = step();
  }
  if (!out.ok())
    return absl::Status(out.status().code(), absl::StrCat("iteration ", iter_, ": ", out.status().message()));
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
  // A finite step from the newest checkpoint: the older ones may go now (before a hook saves a newer one).
  if (unproven_checkpoint_ && comm_.is_main()) PruneCheckpoints();

  StepRecord record{iter_, optimizer_.param_groups()[0].options().get_lr(), loss, grad_norm, 0, 0, &*out};
  record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  record.comm_wait_seconds = bucketer_->last_wait_seconds();
  for (auto& hook : hooks_) {
    if (absl::Status s = hook->AfterStep(record); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Trainer::WriteMetrics(const std::string& mode,
                                   const std::vector<std::pair<std::string, double>>& numbers) {
  if (!comm_.is_main()) return absl::OkStatus();
  if (options_.print) std::printf("%s\n", MetricsLog::FormatLine({{"mode", mode}}, numbers).c_str());
  return metrics_.Write({{"mode", mode}}, numbers);
}

absl::Status Trainer::SaveCheckpoint(int64_t iter) {
  TrainingState state;
  state.iter = iter;
  state.rng_states = comm_.AllGather(CaptureRngState());  // collective: every rank takes part
  state.metadata = options_.metadata;
  for (const auto& hook : hooks_) hook->SaveState(&state.metadata);
  last_saved_iter_ = iter;
  if (!comm_.is_main()) return absl::OkStatus();
  if (absl::Status s = train::SaveCheckpoint(folder_.Path(iter), model_, &optimizer_, state); !s.ok()) return s;
  unproven_checkpoint_ = true;  // older ones are pruned after the next finite step (or at the end)
  return absl::OkStatus();
}

}  // namespace zegclip::train
