// Kernel-level diagnostics for the benchmark binaries: a Chrome trace of a few iterations recorded with LibTorch's
// Kineto profiler (CPU ops + CUDA kernels, the same format torch.profiler's export_chrome_trace writes, so
// benchmarks/reference/summarize_trace.py reads both), and which fused attention backend scaled_dot_product_attention
// picks for the CLIP encoder's q/k/v tensors.
//
// Kineto is compiled into PyTorch's wheels but not into Debian's LibTorch 1.13: KinetoTraceAvailable probes this
// process (a profiled no-op saved to the output path) so that a binary can refuse --trace_out before it does any work.
//
// Example:
//   absl::Status ok = KinetoTraceAvailable(device, "trace.json");
//   absl::Status saved = RecordKernelTrace(device, /*iters=*/3, [&] { model->Logits(images, text); }, "trace.json");
//   for (const std::string& line : SdpChoiceReport({16, 1035, 12, 64}, device)) std::puts(line.c_str());
#ifndef ZEGCLIP_BENCHMARKS_KERNEL_TRACE_H_
#define ZEGCLIP_BENCHMARKS_KERNEL_TRACE_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace zegclip::benchmarks {

// OK when this LibTorch can record and save a Kineto trace for `device` (CPU activity, plus CUDA on a CUDA device)
// to `path`; otherwise an error saying why (no Kineto in this build, or the file could not be written).
absl::Status KinetoTraceAvailable(const at::Device& device, const std::string& path);

// Runs `step` `iters` times under the Kineto profiler, each iteration inside a "ProfilerStep#i" annotation (as
// torch.profiler's step() marks them), synchronises the device, and writes the Chrome trace JSON to `path`.
// The caller warms up first: the first calls' cuBLAS / cuDNN heuristics and allocations would otherwise be traced.
absl::Status RecordKernelTrace(const at::Device& device, int iters, const std::function<void()>& step,
                               const std::string& path);

// One self-attention call of the encoder: q, k, v of shape (batch, heads, tokens, head_dim).
struct AttentionShape {
  int64_t batch = 16;
  int64_t tokens = 1035;  // ViT-B/16 at 512: 1 class token + 32x32 patches + 10 deep prompt tokens
  int64_t heads = 12;
  int64_t head_dim = 64;
};

// The SDPA backend name for at::_fused_sdp_choice's return value, in this build's numbering ("math",
// "flash_attention", "efficient_attention", "cudnn_attention", "overrideable", "error"; else "backend #N").
std::string SdpBackendName(int64_t choice);

// One line per case: at::_fused_sdp_choice on `device` for q/k/v laid out as zegclip/clip/self_attention.cc builds
// them (one linear output chunked in three, reshaped to (B, L, H, D) and transposed to (B, H, L, D): strided views)
// and for contiguous copies, each in fp32 and bf16. LibTorch < 2.0 has no SDPA: a single line says so.
std::vector<std::string> SdpChoiceReport(const AttentionShape& shape, const at::Device& device);

}  // namespace zegclip::benchmarks

#endif  // ZEGCLIP_BENCHMARKS_KERNEL_TRACE_H_
