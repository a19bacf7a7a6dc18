// ZegCLIP inference speed at the VOC configuration (ViT-B/16, deep prompts n=10, relationship descriptor, 3-layer
// decoder, 20 classes): images/s, latency p50/p90/p99 and peak memory per batch size and precision, for
// whole-image 512x512 logits and sliding-window logits on a 512x683 image (crop 512, stride 426: two windows),
// under c10::InferenceMode. Random weights and text embeddings: speed does not depend on the values.
//
//   bazel run //benchmarks:inference_benchmark -- --quick                 # CPU smoke run (< 2 min on 2 cores)
//   build/bin/inference_benchmark --device=cuda --json_out=cpp.json --reference_json=ref.json
//   benchmarks/run_benchmarks.sh --device=cuda                          # reference + C++ in one run, with ratios
//
// Where the kernel time goes (one configuration; LibTorch with Kineto, i.e. PyTorch's wheel), then by category:
//   build/bin/inference_benchmark --device=cuda --precisions=bf16 --batches=16 --inputs=whole
//       --trace_out=trace.json --trace_iters=3 --sdp_choice
//   python3 benchmarks/reference/summarize_trace.py trace.json --iters=3
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gflags/gflags.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "benchmarks/benchmark_report.h"
#include "benchmarks/benchmark_runtime.h"
#include "benchmarks/benchmark_setup.h"
#include "benchmarks/kernel_trace.h"
#include "zegclip/model/inference.h"
#include "zegclip/model/zegclip_segmentor.h"

DEFINE_string(inputs, "whole,slide", "whole (512x512 logits) and/or slide (512x683, crop 512, stride 426)");
DEFINE_int32(classes, 20, "number of class queries (VOC: 20)");
DEFINE_int32(prompt_tokens, 10, "deep prompt tokens per layer (VOC: 10)");
DEFINE_bool(breakdown, false,
            "whole-image rows: also report mean encoder / head / upsample milliseconds (synchronises between them)");
DEFINE_string(trace_out, "",
              "after the row's warm-up and timed iterations, record --trace_iters more under LibTorch's Kineto "
              "profiler and write the Chrome trace JSON here (needs one input, precision and batch)");
DEFINE_int32(trace_iters, 3, "iterations recorded for --trace_out");
DEFINE_bool(sdp_choice, false,
            "print the attention backend SDPA picks for the encoder's q/k/v (its layout and contiguous copies, "
            "fp32 and bf16) at the first batch size");

namespace zegclip::benchmarks {
namespace {

struct InferenceCase {
  std::string input;  // "whole" | "slide"
  std::string precision;
  int64_t batch = 1;
};

std::string InputName(const std::string& input, const Geometry& g) {
  if (input == "whole") return absl::StrCat("whole", g.crop);
  return absl::StrCat("slide", g.slide_height, "x", g.slide_width);
}

// ZegClipSegmentorImpl::Logits step by step, with a device synchronisation after each part (--breakdown).
at::Tensor PhasedLogits(model::ZegClipSegmentorImpl& model, const at::Tensor& images, const at::Tensor& text,
                        PhaseClock& phases) {
  phases.StartIteration();
  const clip::VisionOutput dense = model.clip->visual->ForwardDense(images);
  phases.Mark("encoder");
  const at::Tensor queries = model.rd->forward(dense.global, text);
  const at::Tensor masks = model.decoder->forward(queries, dense.patches, dense.grid_h, dense.grid_w).back();
  phases.Mark("head");
  at::Tensor logits = model::UpsampleLogits(masks, images.size(2), images.size(3));
  phases.Mark("upsample");
  return logits;
}

// --trace_out: where, how many iterations, and how it went (set by RunCase).
struct TraceRequest {
  std::string path;
  int iters = 3;
  absl::Status status = absl::OkStatus();
};

// `trace` (may be null): after the timed iterations, which double as warm-up, the same step is traced.
BenchmarkRow RunCase(model::ZegClipSegmentor& model, const at::Tensor& text, const InferenceCase& c,
                     const CommonSettings& s, TraceRequest* trace) {
  const Geometry g = BenchGeometry(s.tiny);
  BenchmarkRow row;
  row.task = "inference";
  row.input = InputName(c.input, g);
  row.precision = c.precision;
  row.batch = c.batch;
  row.variant = AttentionVariant(s.fused);
  row.iters = s.iters;
  row.warmup = s.warmup;
  const bool slide = c.input == "slide";
  const bool bf16 = c.precision == "bf16";
  const at::Device device = s.device;
  try {
    c10::InferenceMode inference_mode;
    at::Tensor images = slide ? at::randn({c.batch, 3, g.slide_height, g.slide_width})
                              : at::randn({c.batch, 3, g.crop, g.crop});
    images = images.to(device);
    const int64_t classes = text.size(0);
    PhaseClock phases(device, FLAGS_breakdown && !slide);
    auto step = [&] {
      Bf16Autocast autocast(device.type(), bf16);
      at::Tensor logits;
      if (FLAGS_breakdown && !slide) {
        logits = PhasedLogits(*model, images, text, phases);
      } else if (slide) {
        model::InferenceOptions o;
        o.mode = model::InferenceMode::kSlide;
        o.crop = g.crop;
        o.stride = g.stride;
        logits = model::Scores([&](const at::Tensor& crop) { return model->forward(crop, text).back(); }, images, o);
      } else {
        logits = model->Logits(images, text);
      }
      TORCH_CHECK(logits.size(1) == classes && logits.size(2) == images.size(2), "unexpected logits shape");
    };
    Timing t = TimeIterations(device, s.warmup, s.iters, step);
    row.phases_ms = phases.MeanMs(s.iters);  // before the traced iterations add theirs
    row.latency = SummarizeLatencies(t.latencies_ms);
    row.iters_per_s = s.iters / t.total_s;
    row.images_per_s = row.iters_per_s * static_cast<double>(c.batch);
    row.peak_mem_mb = t.peak_mem_mb;
    if (trace != nullptr) trace->status = RecordKernelTrace(device, trace->iters, step, trace->path);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    row.status = absl::StrCat("error: ", what.substr(0, what.find('\n')));
    if (trace != nullptr) trace->status = absl::AbortedError(absl::StrCat("the traced row failed: ", row.status));
    ReleaseCachedMemory(device);
  }
  return row;
}

// --trace_out records one configuration, and only where this LibTorch has Kineto (Debian's 1.13 has not): both are
// checked before the model is built, so a refused trace costs nothing.
absl::Status CheckTraceRequest(const CommonSettings& s, const std::vector<std::string>& inputs) {
  if (FLAGS_trace_iters <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("--trace_iters must be positive, got ", FLAGS_trace_iters));
  }
  if (inputs.size() != 1 || s.precisions.size() != 1 || s.batches.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--trace_out records one configuration: give one --inputs, one --precisions and one --batches (got ",
        inputs.size(), ", ", s.precisions.size(), " and ", s.batches.size(), ")"));
  }
  const absl::Status kineto = KinetoTraceAvailable(s.device, FLAGS_trace_out);
  if (kineto.ok()) return kineto;
  return absl::FailedPreconditionError(absl::StrCat("--trace_out=", FLAGS_trace_out, ": this LibTorch (",
                                                    TORCH_VERSION, ") cannot record a Kineto trace here: ",
                                                    kineto.message()));
}

// The encoder's self-attention q/k/v at the run's first batch size: class token + patches + deep prompt tokens.
AttentionShape EncoderAttentionShape(const model::SegmentorOptions& o, const CommonSettings& s) {
  const int64_t grid = BenchGeometry(s.tiny).crop / o.clip.patch_size;
  return {s.batches.front(), 1 + grid * grid + o.prompt.tokens, o.clip.vision_heads,
          o.clip.vision_width / o.clip.vision_heads};
}

int Run() {
  absl::StatusOr<CommonSettings> settings = ResolveCommonFlags("1,8,16,32", "1");
  absl::StatusOr<std::vector<std::string>> inputs = ParseChoiceList("inputs", FLAGS_inputs, {"whole", "slide"});
  if (!settings.ok() || !inputs.ok()) {
    const absl::Status& bad = !settings.ok() ? settings.status() : inputs.status();
    std::fprintf(stderr, "inference_benchmark: %s\n", std::string(bad.message()).c_str());
    return 2;
  }
  const CommonSettings& s = *settings;
  std::unique_ptr<TraceRequest> trace;
  if (!FLAGS_trace_out.empty()) {
    const absl::Status usable = CheckTraceRequest(s, *inputs);
    if (!usable.ok()) {
      std::fprintf(stderr, "inference_benchmark: %s\n", std::string(usable.message()).c_str());
      return 2;
    }
    trace = std::make_unique<TraceRequest>(TraceRequest{FLAGS_trace_out, FLAGS_trace_iters});
  }
  at::manual_seed(0);
  model::ZegClipSegmentor model(BenchSegmentorOptions(FLAGS_prompt_tokens, s.tiny, s.fused));
  model->eval();
  model->to(s.device);
  at::Tensor text = RandomUnitText(FLAGS_classes, model->options().clip.embed_dim, s.device);

  BenchmarkReport report = NewReport("inference", s);
  report.config.update({{"classes", FLAGS_classes}, {"prompt_tokens", FLAGS_prompt_tokens}});
  if (FLAGS_sdp_choice) {
    const std::vector<std::string> lines = SdpChoiceReport(EncoderAttentionShape(model->options(), s), s.device);
    for (const std::string& line : lines) std::printf("%s\n", line.c_str());
    report.config["sdp_choice"] = lines;
  }
  const Deadline deadline(FLAGS_time_budget_s);
  for (const std::string& precision : s.precisions) {
    for (const std::string& input : *inputs) {
      for (int64_t batch : s.batches) {
        const InferenceCase c{input, precision, batch};
        BenchmarkRow row;
        if (deadline.Expired()) {
          row = BenchmarkRow{"inference", InputName(input, BenchGeometry(s.tiny)), precision, batch,
                             AttentionVariant(s.fused), "skipped: time budget"};
          if (trace != nullptr) trace->status = absl::DeadlineExceededError("the traced row was skipped: time budget");
        } else {
          row = RunCase(model, text, c, s, trace.get());
        }
        std::fprintf(stderr, "[inference_benchmark] %s %s: %.2f img/s\n", row.Key().c_str(), row.status.c_str(),
                     row.images_per_s);
        report.rows.push_back(row);
      }
    }
  }
  int code = FinishReport(report);
  if (trace != nullptr) {
    if (trace->status.ok()) {
      std::fprintf(stderr, "[inference_benchmark] Kineto trace of %d iterations written to %s\n", trace->iters,
                   trace->path.c_str());
    } else {
      std::fprintf(stderr, "inference_benchmark: --trace_out=%s: %s\n", trace->path.c_str(),
                   std::string(trace->status.message()).c_str());
      std::remove(trace->path.c_str());  // the availability probe's empty trace must not pass for the real one
      code = 1;
    }
  }
  return code;
}

}  // namespace
}  // namespace zegclip::benchmarks

int main(int argc, char** argv) {
  gflags::SetUsageMessage("ZegCLIP inference images/s, latency and peak memory (see the file header)");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return zegclip::benchmarks::Run();
}
