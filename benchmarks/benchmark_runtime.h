// Device plumbing shared by the benchmark binaries: synchronisation, peak-memory probes, a bf16 autocast scope that
// works on LibTorch 1.13 and 2.x, the warm-up + timed loop, and a wall-clock budget. Header-only (see
// benchmark_report.h for why).
//
// Peak memory: on CUDA the caching allocator's peak of allocated bytes (what torch.cuda.max_memory_allocated
// reports); on CPU the process's peak resident set (VmHWM), reset per row through /proc/self/clear_refs — the
// Python reference measures the same two things.
//
// Example:
//   at::Device device = ParseDevice("cuda");
//   Timing t = TimeIterations(device, /*warmup=*/3, /*iters=*/20, [&] {
//     Bf16Autocast autocast(device.type(), /*enabled=*/true);
//     model->Logits(images, text);
//   });
//   t.latencies_ms; t.peak_mem_mb;
#ifndef ZEGCLIP_BENCHMARKS_BENCHMARK_RUNTIME_H_
#define ZEGCLIP_BENCHMARKS_BENCHMARK_RUNTIME_H_

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

#ifdef ZEGCLIP_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace zegclip::benchmarks {

using Clock = std::chrono::steady_clock;

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// "cpu" or "cuda" (device 0). Anything else, or cuda without a device, is an error naming the flag.
inline absl::StatusOr<at::Device> ParseDevice(const std::string& name) {
  if (name == "cpu") return at::Device(at::kCPU);
  if (name == "cuda") {
    if (!torch::cuda::is_available()) return absl::FailedPreconditionError("--device=cuda: no CUDA device available");
    return at::Device(at::kCUDA, 0);
  }
  return absl::InvalidArgumentError(absl::StrCat("--device must be cpu or cuda, got '", name, "'"));
}

inline std::string DeviceName(const at::Device& device) {
#ifdef ZEGCLIP_WITH_CUDA
  if (device.is_cuda()) {
    cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, device.index()) == cudaSuccess) return prop.name;
  }
#endif
  if (device.is_cuda()) return "cuda";
  return absl::StrCat(std::thread::hardware_concurrency(), "-core cpu");
}

inline void Synchronize(const at::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

inline std::string MemoryKind(const at::Device& device) {
  return device.is_cuda() ? "cuda_allocated_peak" : "process_rss_peak";
}

inline void ResetPeakMemory(const at::Device& device) {
#ifdef ZEGCLIP_WITH_CUDA
  if (device.is_cuda()) {
    c10::cuda::CUDACachingAllocator::resetPeakStats(device.index());
    return;
  }
#endif
  // "5" resets the peak resident set size (VmHWM) to the current one (Linux >= 4.0).
  std::ofstream("/proc/self/clear_refs") << "5";
}

inline double PeakMemoryMb(const at::Device& device) {
#ifdef ZEGCLIP_WITH_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    return static_cast<double>(stats.allocated_bytes[0].peak) / (1 << 20);  // [0] = aggregate over pools
  }
#endif
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      int64_t kb = 0;
      for (char c : line) {
        if (c >= '0' && c <= '9') kb = kb * 10 + (c - '0');
      }
      return static_cast<double>(kb) / 1024.0;
    }
  }
  return 0.0;
}

inline void ReleaseCachedMemory(const at::Device& device) {
#ifdef ZEGCLIP_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  (void)device;
}

// bf16 autocast on `type` for the scope's lifetime (no-op when disabled), like Python's torch.autocast: nesting
// counted, cast cache cleared when the outermost scope ends.
class Bf16Autocast {
 public:
  Bf16Autocast(at::DeviceType type, bool enabled) : type_(type), enabled_(enabled) {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    was_enabled_ = at::autocast::is_autocast_enabled(type_);
    old_dtype_ = at::autocast::get_autocast_dtype(type_);
    at::autocast::set_autocast_dtype(type_, at::kBFloat16);
    at::autocast::set_autocast_enabled(type_, true);
#else
    if (type_ == at::kCUDA) {
      was_enabled_ = at::autocast::is_enabled();
      old_dtype_ = at::autocast::get_autocast_gpu_dtype();
      at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
      at::autocast::set_enabled(true);
    } else {
      was_enabled_ = at::autocast::is_cpu_enabled();
      old_dtype_ = at::autocast::get_autocast_cpu_dtype();
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
      at::autocast::set_cpu_enabled(true);
    }
#endif
    at::autocast::increment_nesting();
  }

  ~Bf16Autocast() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(type_, was_enabled_);
    at::autocast::set_autocast_dtype(type_, old_dtype_);
#else
    if (type_ == at::kCUDA) {
      at::autocast::set_enabled(was_enabled_);
      at::autocast::set_autocast_gpu_dtype(old_dtype_);
    } else {
      at::autocast::set_cpu_enabled(was_enabled_);
      at::autocast::set_autocast_cpu_dtype(old_dtype_);
    }
#endif
  }

  Bf16Autocast(const Bf16Autocast&) = delete;
  Bf16Autocast& operator=(const Bf16Autocast&) = delete;

 private:
  at::DeviceType type_;
  bool enabled_;
  bool was_enabled_ = false;
  at::ScalarType old_dtype_ = at::kBFloat16;
};

struct Timing {
  std::vector<double> latencies_ms;  // one per timed iteration, each ended by a device synchronisation
  double total_s = 0;
  double peak_mem_mb = 0;  // over the timed iterations (after warm-up)
};

// `warmup` untimed calls, then `iters` timed ones; the device is synchronised after each call so a latency covers
// the kernels the call launched.
template <typename Fn>
Timing TimeIterations(const at::Device& device, int warmup, int iters, Fn&& fn) {
  for (int i = 0; i < warmup; ++i) fn();
  Synchronize(device);
  ResetPeakMemory(device);
  Timing t;
  for (int i = 0; i < iters; ++i) {
    const Clock::time_point start = Clock::now();
    fn();
    Synchronize(device);
    const double s = SecondsSince(start);
    t.latencies_ms.push_back(s * 1e3);
    t.total_s += s;
  }
  t.peak_mem_mb = PeakMemoryMb(device);
  return t;
}

// Wall time per named phase inside the timed function (--breakdown): Mark(phase) synchronises the device and
// charges the time since the previous mark to `phase`. The synchronisations cost a little throughput, so the
// breakdown is opt-in.
class PhaseClock {
 public:
  PhaseClock(const at::Device& device, bool enabled) : device_(device), enabled_(enabled) {}

  void StartIteration() {
    if (!enabled_) return;
    iterations_.emplace_back();
    Synchronize(device_);
    last_ = Clock::now();
  }

  void Mark(const std::string& phase) {
    if (!enabled_) return;
    Synchronize(device_);
    const Clock::time_point now = Clock::now();
    iterations_.back()[phase] += std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
  }

  // Mean over the last `iters` iterations (the timed ones; earlier ones were warm-up).
  std::map<std::string, double> MeanMs(int iters) const {
    std::map<std::string, double> mean;
    const size_t n = std::min<size_t>(static_cast<size_t>(std::max(iters, 0)), iterations_.size());
    for (size_t i = iterations_.size() - n; i < iterations_.size(); ++i) {
      for (const auto& [phase, ms] : iterations_[i]) mean[phase] += ms / static_cast<double>(n);
    }
    return mean;
  }

 private:
  at::Device device_;
  bool enabled_;
  Clock::time_point last_;
  std::vector<std::map<std::string, double>> iterations_;
};

// A wall-clock budget for a whole run (0 = unlimited): rows that would start after it are skipped, so a GPU
// session's fixed time is never overrun by one slow configuration.
class Deadline {
 public:
  explicit Deadline(double seconds) : seconds_(seconds), start_(Clock::now()) {}
  bool Expired() const { return seconds_ > 0 && SecondsSince(start_) > seconds_; }

 private:
  double seconds_;
  Clock::time_point start_;
};

// "1,8,16" -> {1, 8, 16}; empty or non-positive entries are an error naming the flag.
inline absl::StatusOr<std::vector<int64_t>> ParsePositiveList(const std::string& flag, const std::string& text) {
  std::vector<int64_t> values;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(part, &v) || v <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag, ": '", part, "' is not a positive integer"));
    }
    values.push_back(v);
  }
  if (values.empty()) return absl::InvalidArgumentError(absl::StrCat("--", flag, " is empty"));
  return values;
}

// "fp32,bf16" -> {"fp32", "bf16"}, each entry checked against `allowed`.
inline absl::StatusOr<std::vector<std::string>> ParseChoiceList(const std::string& flag, const std::string& text,
                                                                const std::vector<std::string>& allowed) {
  std::vector<std::string> values;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    if (std::find(allowed.begin(), allowed.end(), part) == allowed.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": '", part, "' is not one of ", absl::StrJoin(allowed, ", ")));
    }
    values.emplace_back(part);
  }
  if (values.empty()) return absl::InvalidArgumentError(absl::StrCat("--", flag, " is empty"));
  return values;
}

}  // namespace zegclip::benchmarks

#endif  // ZEGCLIP_BENCHMARKS_BENCHMARK_RUNTIME_H_
