#include "benchmarks/kernel_trace.h"

#include <ATen/record_function.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/version.h>

#include <exception>
#include <fstream>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "benchmarks/benchmark_runtime.h"

// at::SDPBackend (the numbering _fused_sdp_choice returns) is public from LibTorch 2.5; older 2.x builds number the
// backends like aten/src/ATen/native/transformers/sdp_utils_cpp.h of their day.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5)
#if __has_include(<ATen/SDPBackend.h>)
#include <ATen/SDPBackend.h>
#define ZEGCLIP_HAS_AT_SDP_BACKEND 1
#endif
#endif

namespace zegclip::benchmarks {
namespace {

namespace kineto = torch::autograd::profiler;
using torch::profiler::impl::ActivityType;
using torch::profiler::impl::ProfilerConfig;
using torch::profiler::impl::ProfilerState;

// The constructor's leading arguments are the same in 1.13 and 2.x (2.x appends an experimental config default and a
// trace id): Kineto state, no shapes, memory, stacks, FLOPs or modules — they would slow the traced iterations.
ProfilerConfig TraceConfig() { return ProfilerConfig(ProfilerState::KINETO); }

std::set<ActivityType> TraceActivities(const at::Device& device) {
  std::set<ActivityType> activities{ActivityType::CPU};
  if (device.is_cuda()) activities.insert(ActivityType::CUDA);
  return activities;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

bool NonEmptyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in.good() && in.tellg() > 0;
}

// Stops the profiler if the traced code throws, so that the process is not left with a profiler attached.
class ProfilerSession {
 public:
  explicit ProfilerSession(const at::Device& device) {
    kineto::prepareProfiler(TraceConfig(), TraceActivities(device));
    kineto::enableProfiler(TraceConfig(), TraceActivities(device));
    active_ = true;
  }
  ~ProfilerSession() {
    if (active_) kineto::disableProfiler();
  }
  ProfilerSession(const ProfilerSession&) = delete;
  ProfilerSession& operator=(const ProfilerSession&) = delete;

  std::unique_ptr<kineto::ProfilerResult> Stop() {
    active_ = false;
    return kineto::disableProfiler();
  }

 private:
  bool active_ = false;
};

// Saves the result; Kineto-less builds throw here ("requires ... Kineto support"), which is the probe's answer.
absl::Status Save(kineto::ProfilerResult& result, const std::string& path) {
  try {
    result.save(path);
  } catch (const std::exception& e) {
    return absl::FailedPreconditionError(FirstLine(e.what()));
  }
  if (!NonEmptyFile(path)) return absl::PermissionDeniedError(absl::StrCat("could not write ", path));
  return absl::OkStatus();
}

}  // namespace

absl::Status KinetoTraceAvailable(const at::Device& device, const std::string& path) {
  std::unique_ptr<kineto::ProfilerResult> result;
  try {
    ProfilerSession session(device);
    result = session.Stop();
  } catch (const std::exception& e) {
    return absl::FailedPreconditionError(FirstLine(e.what()));
  }
  if (!result) return absl::FailedPreconditionError("the profiler returned no result");
  return Save(*result, path);
}

absl::Status RecordKernelTrace(const at::Device& device, int iters, const std::function<void()>& step,
                               const std::string& path) {
  if (iters <= 0) return absl::InvalidArgumentError(absl::StrCat("trace iterations must be positive, got ", iters));
  // Named before profiling starts: the annotations must outlive their scopes.
  std::vector<std::string> names;
  for (int i = 0; i < iters; ++i) names.push_back(absl::StrCat("ProfilerStep#", i));
  Synchronize(device);  // earlier work stays out of the trace
  std::unique_ptr<kineto::ProfilerResult> result;
  try {
    ProfilerSession session(device);
    for (int i = 0; i < iters; ++i) {
      RECORD_USER_SCOPE(names[i]);
      step();
    }
    Synchronize(device);  // the last kernels finish inside the trace
    result = session.Stop();
  } catch (const std::exception& e) {
    return absl::InternalError(FirstLine(e.what()));
  }
  if (!result) return absl::FailedPreconditionError("the profiler returned no result");
  return Save(*result, path);
}

std::string SdpBackendName(int64_t choice) {
#ifdef ZEGCLIP_HAS_AT_SDP_BACKEND
  const std::pair<at::SDPBackend, const char*> names[] = {
      {at::SDPBackend::error, "error"},
      {at::SDPBackend::math, "math"},
      {at::SDPBackend::flash_attention, "flash_attention"},
      {at::SDPBackend::efficient_attention, "efficient_attention"},
      {at::SDPBackend::cudnn_attention, "cudnn_attention"},
      {at::SDPBackend::overrideable, "overrideable"},
  };
  for (const auto& [backend, name] : names) {
    if (choice == static_cast<int64_t>(backend)) return name;
  }
#else
  // LibTorch 2.0 - 2.4 (sdp_utils_cpp.h): error -1, math 0, flash 1, efficient 2, cudnn 3 (from 2.2).
  const char* names[] = {"math", "flash_attention", "efficient_attention", "cudnn_attention"};
  if (choice == -1) return "error";
  if (choice >= 0 && choice < 4) return names[choice];
#endif
  return absl::StrCat("backend #", choice);
}

std::vector<std::string> SdpChoiceReport(const AttentionShape& shape, const at::Device& device) {
  const std::string where = absl::StrCat("sdp_choice ", device.str(), " B=", shape.batch, " L=", shape.tokens,
                                         " H=", shape.heads, " D=", shape.head_dim);
#if TORCH_VERSION_MAJOR >= 2
  c10::InferenceMode inference_mode;
  std::vector<std::string> lines;
  const int64_t width = shape.heads * shape.head_dim;
  for (const at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
    // One projection output chunked in three, as self_attention.cc does: q, k, v are strided views of it.
    const at::Tensor qkv = at::randn({shape.batch, shape.tokens, 3 * width}, at::TensorOptions(device).dtype(dtype));
    std::vector<at::Tensor> parts = qkv.chunk(3, -1);
    for (at::Tensor& t : parts) t = t.reshape({shape.batch, shape.tokens, shape.heads, shape.head_dim}).transpose(1, 2);
    for (const bool contiguous : {false, true}) {
      const at::Tensor q = contiguous ? parts[0].contiguous() : parts[0];
      const at::Tensor k = contiguous ? parts[1].contiguous() : parts[1];
      const at::Tensor v = contiguous ? parts[2].contiguous() : parts[2];
      const int64_t choice = at::_fused_sdp_choice(q, k, v);
      lines.push_back(absl::StrCat(where, " ", dtype == at::kFloat ? "fp32" : "bf16", " ",
                                   contiguous ? "contiguous" : "chunk+transpose", " (q strides ",
                                   c10::str(q.strides()), "): ", SdpBackendName(choice), " (", choice, ")"));
    }
  }
  return lines;
#else
  return {absl::StrCat(where, ": LibTorch ", TORCH_VERSION,
                       " has no scaled_dot_product_attention (needs 2.0); the encoder runs the explicit "
                       "matmul + softmax attention")};
#endif
}

}  // namespace zegclip::benchmarks
