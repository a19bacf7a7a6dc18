// What the ZegCLIP benchmark binaries share: their common command-line flags, the model configuration they time
// (ViT-B/16 + deep prompts + relationship descriptor + 3-layer decoder, or a tiny stand-in for tests), the input
// geometry, random unit text embeddings, and the report header.
//
// This header DEFINES gflags: include it from exactly one .cc per binary (each *_benchmark.cc is its own binary).
// benchmarks/reference/zegclip_reference.py mirrors the same configurations (keep the two in step).
//
// Example (in a benchmark's main):
//   absl::StatusOr<CommonSettings> settings = ResolveCommonFlags(/*default_batches=*/"1,8,16,32", /*quick=*/"1");
//   model::ZegClipSegmentor model(BenchSegmentorOptions(/*prompt_tokens=*/10, settings->tiny, settings->fused));
#ifndef ZEGCLIP_BENCHMARKS_BENCHMARK_SETUP_H_
#define ZEGCLIP_BENCHMARKS_BENCHMARK_SETUP_H_

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gflags/gflags.h>
#include <torch/version.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmarks/benchmark_report.h"
#include "benchmarks/benchmark_runtime.h"
#include "zegclip/clip/clip_options.h"
#include "zegclip/clip/prompt_options.h"
#include "zegclip/model/zegclip_segmentor.h"

DEFINE_string(device, "cpu", "cpu or cuda");
DEFINE_string(batches, "", "comma-separated batch sizes (default: the binary's; --quick: 1)");
DEFINE_string(precisions, "", "fp32 and/or bf16 autocast (default: fp32 on cpu, fp32,bf16 on cuda)");
DEFINE_int32(iters, 0, "timed iterations per row (default 20; --quick: 2)");
DEFINE_int32(warmup, -1, "untimed warm-up iterations per row (default 3; --quick: 1)");
DEFINE_int32(threads, 0, "intra-op CPU threads (0 = every core)");
DEFINE_bool(quick, false, "few rows and iterations: a CPU smoke run in well under two minutes");
DEFINE_bool(tiny, false, "a tiny model on 64-pixel images instead of ViT-B/16 at 512 (tests)");
DEFINE_string(attention, "fused", "CLIP attention kernel: fused (SDPA where LibTorch >= 2.0) or explicit");
DEFINE_string(json_out, "", "write the rows to this JSON file");
DEFINE_string(reference_json, "", "reference rows (zegclip_reference.py, same run): print C++/reference ratios");
DEFINE_double(time_budget_s, 0, "skip the rows that would start after this many seconds (0 = no limit)");

namespace zegclip::benchmarks {

struct CommonSettings {
  at::Device device = at::Device(at::kCPU);
  std::vector<int64_t> batches;
  std::vector<std::string> precisions;
  int iters = 20;
  int warmup = 3;
  bool tiny = false;
  bool quick = false;
  bool fused = true;  // ClipOptions::fused_attention
};

inline absl::StatusOr<CommonSettings> ResolveCommonFlags(const std::string& default_batches,
                                                         const std::string& quick_batches) {
  CommonSettings s;
  absl::StatusOr<at::Device> device = ParseDevice(FLAGS_device);
  if (!device.ok()) return device.status();
  s.device = *device;
  s.quick = FLAGS_quick;
  s.tiny = FLAGS_tiny;
  const std::string batches = !FLAGS_batches.empty() ? FLAGS_batches : (s.quick ? quick_batches : default_batches);
  absl::StatusOr<std::vector<int64_t>> parsed = ParsePositiveList("batches", batches);
  if (!parsed.ok()) return parsed.status();
  s.batches = *parsed;
  const std::string precisions =
      !FLAGS_precisions.empty() ? FLAGS_precisions : (s.device.is_cuda() ? "fp32,bf16" : "fp32");
  absl::StatusOr<std::vector<std::string>> prec = ParseChoiceList("precisions", precisions, {"fp32", "bf16"});
  if (!prec.ok()) return prec.status();
  s.precisions = *prec;
  s.iters = FLAGS_iters > 0 ? FLAGS_iters : (s.quick ? 2 : 20);
  s.warmup = FLAGS_warmup >= 0 ? FLAGS_warmup : (s.quick ? 1 : 3);
  if (FLAGS_attention != "fused" && FLAGS_attention != "explicit") {
    return absl::InvalidArgumentError(
        absl::StrCat("--attention must be fused or explicit, got '", FLAGS_attention, "'"));
  }
  s.fused = FLAGS_attention == "fused";
  const int threads = FLAGS_threads > 0 ? FLAGS_threads : static_cast<int>(std::thread::hardware_concurrency());
  at::set_num_threads(threads > 0 ? threads : 1);  // LibTorch defaulted to one thread on these machines
  return s;
}

// The attention kernel a row really used: "fused" needs LibTorch >= 2.0 (the model falls back otherwise).
inline std::string AttentionVariant(bool fused) {
  return fused && TORCH_VERSION_MAJOR >= 2 ? "fused" : "explicit";
}

// Image sizes: full = the recipe (512 crops, stride 426, a 512x683 test image); tiny = the same shape at 1/8.
struct Geometry {
  int64_t crop = 512;
  int64_t stride = 426;
  int64_t slide_height = 512;
  int64_t slide_width = 683;
};

inline Geometry BenchGeometry(bool tiny) { return tiny ? Geometry{64, 54, 64, 86} : Geometry{}; }

// CLIP ViT-B/16 (or a tiny CLIP), deep prompts (n tokens before every block 0..11), relationship descriptor,
// 3-layer decoder of width 512 and 8 heads. Drop path stays 0: the released code builds it but never applies it.
inline model::SegmentorOptions BenchSegmentorOptions(int64_t prompt_tokens, bool tiny, bool fused) {
  model::SegmentorOptions o;
  o.clip = clip::ClipOptions::ViTB16();
  if (tiny) {
    o.clip.image_resolution = 64;
    o.clip.vision_width = 64;
    o.clip.vision_layers = 2;
    o.clip.vision_heads = 2;
    o.clip.embed_dim = 32;
    o.clip.context_length = 16;
    o.clip.vocab_size = 100;
    o.clip.text_width = 32;
    o.clip.text_heads = 2;
    o.clip.text_layers = 1;
  }
  o.clip.fused_attention = fused;
  o.prompt.mode = clip::EncoderMode::kDeepPrompt;
  o.prompt.tokens = prompt_tokens;
  o.prompt.depth = o.clip.vision_layers - 1;
  o.prompt.dropout = 0.1;
  o.decoder.layers = tiny ? 2 : 3;
  o.decoder.width = o.clip.embed_dim;
  o.decoder.heads = tiny ? 4 : 8;
  o.relationship_descriptor = true;
  return o;
}

// C random unit-length class embeddings (speed does not depend on the values).
inline at::Tensor RandomUnitText(int64_t classes, int64_t dim, const at::Device& device) {
  at::Tensor t = at::randn({classes, dim});
  return (t / t.norm(2, {-1}, /*keepdim=*/true)).to(device);
}

inline BenchmarkReport NewReport(const std::string& benchmark, const CommonSettings& s) {
  BenchmarkReport report;
  report.implementation = "cpp";
  report.benchmark = benchmark;
  report.device = s.device.is_cuda() ? "cuda" : "cpu";
  report.device_name = DeviceName(s.device);
  report.torch_version = TORCH_VERSION;
  report.threads = at::get_num_threads();
  report.mem_kind = MemoryKind(s.device);
  report.config = {{"tiny", s.tiny}, {"quick", s.quick}, {"iters", s.iters}, {"warmup", s.warmup},
                   {"attention", AttentionVariant(s.fused)}};
  return report;
}

// Prints the table (with ratios when --reference_json names a readable report) and writes --json_out.
// Returns the process exit code: 0, or 1 when the reference or the output file failed.
inline int FinishReport(BenchmarkReport& report) {
  int code = 0;
  absl::StatusOr<BenchmarkReport> reference = absl::NotFoundError("no reference");
  if (!FLAGS_reference_json.empty()) {
    reference = ReadReportJson(FLAGS_reference_json);
    if (reference.ok()) {
      AttachRatios(report, *reference);
    } else {
      std::fprintf(stderr, "%s\n", std::string(reference.status().message()).c_str());
      code = 1;
    }
  }
  std::fputs(FormatTable(report, reference.ok() ? &*reference : nullptr).c_str(), stdout);
  if (!FLAGS_json_out.empty()) {
    absl::Status written = WriteReportJson(report, FLAGS_json_out);
    if (!written.ok()) {
      std::fprintf(stderr, "%s\n", std::string(written.message()).c_str());
      code = 1;
    }
  }
  return code;
}

}  // namespace zegclip::benchmarks

#endif  // ZEGCLIP_BENCHMARKS_BENCHMARK_SETUP_H_
