#include "zegclip/train/standard_hooks.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "zegclip/train/trainer.h"

namespace zegclip::train {

absl::Status LrScheduler::BeforeStep(int64_t iter) {
  groups_.ApplyLr(optimizer_, schedule_, iter);
  return absl::OkStatus();
}

absl::Status MetricsWriter::BeforeTrain(int64_t) {
  window_ = Window{};
  return absl::OkStatus();
}

absl::Status MetricsWriter::AfterStep(const StepRecord& record) {
  window_.steps += 1;
  window_.loss += record.loss;
  window_.seconds += record.seconds;
  window_.comm_wait_seconds += record.comm_wait_seconds;
  window_.grad_norm += record.grad_norm;
  for (const auto& [name, value] : record.output->scalars) window_.scalars[name] += value;
  if (interval_ <= 0) return absl::OkStatus();
  if (record.iter % interval_ != 0 && record.iter != trainer().options().max_iters) return absl::OkStatus();
  return Write(record);
}

absl::Status MetricsWriter::Write(const StepRecord& last) {
  distributed::Communicator& comm = trainer().comm();
  // Means over the window on this rank, then over the ranks (one collective; key sets must agree).
  std::vector<std::string> keys;
  for (const auto& [name, value] : window_.scalars) keys.push_back(name);
  const std::string joined = absl::StrJoin(keys, ",");
  for (const std::string& other : comm.AllGather(joined)) {
    if (other != joined) {
      return absl::InvalidArgumentError(absl::StrCat("iteration ", last.iter, ": ranks logged different scalars (",
                                                     joined, " vs ", other, "): StepOutput::scalars must have the "
                                                     "same keys on every rank"));
    }
  }
  const double n = static_cast<double>(std::max<int64_t>(window_.steps, 1));
  std::vector<double> local = {window_.loss / n, window_.seconds / n, window_.comm_wait_seconds / n};
  for (const std::string& key : keys) local.push_back(window_.scalars[key] / n);
  const std::vector<double> mean = comm.AllReduceMean(local);
  const double grad_norm = window_.grad_norm / n;  // identical on every rank (computed after averaging)
  window_ = Window{};

  std::vector<std::pair<std::string, double>> numbers = {
      {"iter", static_cast<double>(last.iter)}, {"lr", last.lr}, {"loss", mean[0]}};
  for (size_t i = 0; i < keys.size(); ++i) numbers.emplace_back(keys[i], mean[3 + i]);
  if (trainer().options().grad_clip_norm > 0) numbers.emplace_back("grad_norm", grad_norm);
  numbers.emplace_back("time", mean[1]);
  // Seconds per step the optimizer waited for the gradient allreduce after backward (what overlap did not hide).
  if (comm.size() > 1) numbers.emplace_back("comm_wait", mean[2]);
  numbers.emplace_back("world_size", comm.size());
  return trainer().WriteMetrics("train", numbers);
}

absl::Status PeriodicCheckpointer::AfterStep(const StepRecord& record) {
  if (interval_ <= 0 || record.iter % interval_ != 0) return absl::OkStatus();
  return trainer().SaveCheckpoint(record.iter);
}

absl::Status EvalHook::AfterStep(const StepRecord& record) {
  if (interval_ <= 0 || record.iter % interval_ != 0) return absl::OkStatus();
  torch::nn::Module& model = trainer().model();
  model.eval();
  absl::StatusOr<std::map<std::string, double>> metrics = eval_(record.iter);
  model.train();
  if (!metrics.ok()) {
    return absl::Status(metrics.status().code(), absl::StrCat("evaluation at iteration ", record.iter, ": ",
                                                              metrics.status().message()));
  }
  std::vector<std::pair<std::string, double>> numbers = {{"iter", static_cast<double>(record.iter)}};
  for (const auto& [name, value] : *metrics) numbers.emplace_back(name, value);
  return trainer().WriteMetrics("eval", numbers);
}

}  // namespace zegclip::train
