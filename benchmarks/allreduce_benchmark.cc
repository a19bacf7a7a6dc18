// Allreduce bandwidth of the active communicator, bucketed vs per-tensor gradient averaging on a ViT-B/16-sized
// parameter list, and a FINETUNE-sized training step (a ViT-B/16 image encoder, every weight trained) with the
// gradient allreduce after backward vs overlapped with it, printed as three tables in one run. Run it on several
// ranks:
//
//   bazel run //benchmarks:allreduce_benchmark_2ranks            # mpirun -np 2 on this machine (CPU, mpi backend)
//   mpirun -np 4 build/bin/allreduce_benchmark --backend=nccl    # GPU host, CMake build
//
// Bus bandwidth follows nccl-tests: algbw = bytes / time, busbw = algbw * 2(n-1)/n (the per-link traffic of a ring
// allreduce), so numbers are comparable across world sizes. Every rank runs the same iteration counts (rank 0
// decides and broadcasts them); times are rank 0's wall clock between barriers.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gflags/gflags.h>

#include "zegclip/clip/vision_transformer.h"
#include "zegclip/distributed/communicator_factory.h"
#include "zegclip/distributed/gradient_bucketer.h"

DEFINE_string(backend, "auto", "auto, single, mpi or nccl");
DEFINE_int64(min_bytes, 1 << 10, "smallest message (bytes)");
DEFINE_int64(max_bytes, 64 << 20, "largest message (bytes)");
DEFINE_double(seconds_per_size, 0.25, "measuring time per message size");
DEFINE_int32(vit_iters, 3, "timed gradient-averaging steps per strategy on the ViT-B/16 list");
DEFINE_int32(vit_layers, 12, "transformer blocks in the ViT-like list (12 = ViT-B/16, 86M parameters)");
DEFINE_int32(step_iters, 3, "timed training steps per mode in the overlap table (0: skip the table)");
DEFINE_int32(step_batch, 1, "images per rank in the overlap table's step");
DEFINE_int32(step_image, 224, "image side in the overlap table's step (224: ViT-B/16's 197 tokens)");

namespace zegclip::distributed {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Runs `fn` `iters` times between barriers; returns rank 0's seconds per call (broadcast to every rank).
template <typename Fn>
double TimePerCall(Communicator& comm, int iters, Fn fn) {
  comm.Barrier();
  const auto start = Clock::now();
  for (int i = 0; i < iters; ++i) fn();
  comm.Barrier();
  return comm.Broadcast(Seconds(start) / iters);
}

std::string HumanBytes(int64_t bytes) {
  char buf[32];
  if (bytes >= (1 << 20)) {
    std::snprintf(buf, sizeof(buf), "%lld MiB", static_cast<long long>(bytes >> 20));
  } else {
    std::snprintf(buf, sizeof(buf), "%lld KiB", static_cast<long long>(bytes >> 10));
  }
  return buf;
}

void BandwidthTable(Communicator& comm) {
  const int n = comm.size();
  const double bus_factor = n > 1 ? 2.0 * (n - 1) / n : 1.0;
  if (comm.is_main()) {
    std::printf("\nAllreduce (sum, float32), %d rank(s), backend %s\n", n, comm.backend().c_str());
    std::printf("%10s %8s %12s %12s %12s\n", "size", "iters", "time (us)", "algbw GB/s", "busbw GB/s");
  }
  for (int64_t bytes = FLAGS_min_bytes; bytes <= FLAGS_max_bytes; bytes *= 2) {
    at::Tensor buf = at::ones({bytes / 4}, at::TensorOptions().dtype(at::kFloat).device(comm.device()));
    // Two warm-up calls also estimate the cost; rank 0's estimate fixes everyone's iteration count.
    const double estimate = TimePerCall(comm, 2, [&] { comm.AllReduceSum(buf); });
    const int iters = static_cast<int>(std::clamp(FLAGS_seconds_per_size / std::max(estimate, 1e-7), 3.0, 2000.0));
    const double t = TimePerCall(comm, iters, [&] { comm.AllReduceSum(buf); });
    const double algbw = bytes / t / 1e9;
    if (comm.is_main()) {
      std::printf("%10s %8d %12.1f %12.3f %12.3f\n", HumanBytes(bytes).c_str(), iters, t * 1e6, algbw,
                  algbw * bus_factor);
    }
  }
}

// OpenAI CLIP ViT-B/16's image-encoder parameters, in registration order.
std::vector<at::Tensor> VitB16Params(int layers, at::Device device) {
  const int64_t w = 768;
  std::vector<std::vector<int64_t>> shapes = {{w, 3, 16, 16}, {w}, {197, w}, {w}, {w}};  // conv1 .. ln_pre
  for (int l = 0; l < layers; ++l) {
    for (auto s : std::vector<std::vector<int64_t>>{{3 * w, w}, {3 * w}, {w, w}, {w}, {w}, {w}, {4 * w, w},
                                                    {4 * w}, {w, 4 * w}, {w}, {w}, {w}}) {
      shapes.push_back(s);
    }
  }
  for (auto s : std::vector<std::vector<int64_t>>{{w}, {w}, {w, 512}}) shapes.push_back(s);  // ln_post, proj
  std::vector<at::Tensor> params;
  for (const auto& s : shapes) {
    at::Tensor p = at::zeros(s, at::TensorOptions().dtype(at::kFloat).device(device)).requires_grad_(true);
    p.mutable_grad() = at::randn_like(p);
    params.push_back(p);
  }
  return params;
}

void BucketingTable(Communicator& comm) {
  std::vector<at::Tensor> params = VitB16Params(FLAGS_vit_layers, comm.device());
  int64_t numel = 0;
  for (const at::Tensor& p : params) numel += p.numel();
  const std::vector<std::pair<std::string, BucketOptions>> strategies = {
      {"per-tensor", BucketOptions{0, 0}}, {"bucketed 1/25 MiB (DDP)", BucketOptions{}}};
  if (comm.is_main()) {
    std::printf("\nGradient averaging, ViT-B/16-like list: %zu tensors, %.1f M parameters (%.0f MiB float32)\n",
                params.size(), numel / 1e6, numel * 4.0 / (1 << 20));
    std::printf("%-26s %10s %12s %12s %10s\n", "strategy", "allreduces", "time (ms)", "busbw GB/s", "speed-up");
  }
  double baseline = 0;
  const int n = comm.size();
  const double bus_factor = n > 1 ? 2.0 * (n - 1) / n : 1.0;
  for (const auto& [name, options] : strategies) {
    GradientBucketer bucketer(params, &comm, options);
    bucketer.AllReduceGradients();  // warm-up (allocations, connections)
    const double t = TimePerCall(comm, FLAGS_vit_iters, [&] { bucketer.AllReduceGradients(); });
    if (baseline == 0) baseline = t;
    if (comm.is_main()) {
      std::printf("%-26s %10zu %12.2f %12.3f %9.2fx\n", name.c_str(), bucketer.buckets().size(), t * 1e3,
                  numel * 4.0 / t / 1e9 * bus_factor, baseline / t);
    }
  }
  if (comm.is_main() && n == 1) std::printf("(one rank: collectives are no-ops; run under mpirun -np N)\n");
}

// One FINETUNE-like step's timings on rank 0: the whole step, and the part after backward spent waiting for the
// gradient allreduce (what the optimizer would wait for).
struct StepTimes {
  double step = 0;
  double wait = 0;
  int started_in_backward = 0;
};

StepTimes TimedStep(clip::VisionTransformer& model, const at::Tensor& images, GradientBucketer* bucketer) {
  const auto start = Clock::now();
  if (bucketer != nullptr) {
    bucketer->ZeroGrad();
  } else {  // zeroed in place, like the bucketers' views: fresh gradient memory would cost page faults each step
    for (at::Tensor& p : model->parameters()) {
      if (p.grad().defined()) p.mutable_grad().zero_();
    }
  }
  model->forward(images).pow(2).mean().backward();
  StepTimes t;
  if (bucketer != nullptr) {
    bucketer->AllReduceGradients();
    t.wait = bucketer->last_wait_seconds();
    t.started_in_backward = bucketer->last_started_in_backward();
  }
  t.step = Seconds(start);
  return t;
}

// Forward + backward of a ViT-B/16 image encoder with every weight trainable, then the gradient allreduce: after
// backward (blocking) or started from backward as buckets fill (overlapped). The modes alternate step by step so
// that drift on a shared machine hits both alike; "compute only" (no allreduce) is the floor. The optimizer update
// is left out: it is the same work in every mode.
void OverlapTable(Communicator& comm) {
  if (FLAGS_step_iters <= 0) return;
  at::manual_seed(0);
  clip::VisionTransformerOptions options;  // ViT-B/16 at 224
  options.image_resolution = FLAGS_step_image;
  options.layers = FLAGS_vit_layers;
  clip::VisionTransformer model(options);
  model->to(comm.device());
  int64_t numel = 0;
  for (const at::Tensor& p : model->parameters()) numel += p.numel();
  const at::Tensor images = at::randn({FLAGS_step_batch, 3, FLAGS_step_image, FLAGS_step_image},
                                      at::TensorOptions().device(comm.device()));
  GradientBucketer blocking(model->parameters(), &comm, BucketOptions{int64_t{1} << 20, int64_t{25} << 20, false});
  GradientBucketer overlapped(model->parameters(), &comm, BucketOptions{int64_t{1} << 20, int64_t{25} << 20, true});
  // Warm-up: allocations, connections, and the overlapped bucketer's one rebuild (after its first step).
  for (int i = 0; i < 2; ++i) {
    TimedStep(model, images, &blocking);
    TimedStep(model, images, &overlapped);
  }
  StepTimes sum[3];
  const char* names[3] = {"compute only (no allreduce)", "allreduce after backward", "allreduce overlapped"};
  for (int i = 0; i < FLAGS_step_iters; ++i) {
    GradientBucketer* modes[3] = {nullptr, &blocking, &overlapped};
    for (int m = 0; m < 3; ++m) {
      comm.Barrier();
      const StepTimes t = TimedStep(model, images, modes[m]);
      sum[m].step += comm.Broadcast(t.step) / FLAGS_step_iters;
      sum[m].wait += comm.Broadcast(t.wait) / FLAGS_step_iters;
      sum[m].started_in_backward = t.started_in_backward;
    }
  }
  if (!comm.is_main()) return;
  std::printf("\nFINETUNE-sized step: ViT-B/16 image encoder (%d layers, %.1f M parameters, %.0f MiB of float32 "
              "gradients), batch %d at %d px per rank, %d rank(s), %zu buckets, mean of %d steps\n",
              FLAGS_vit_layers, numel / 1e6, numel * 4.0 / (1 << 20), FLAGS_step_batch, FLAGS_step_image, comm.size(),
              overlapped.buckets().size(), FLAGS_step_iters);
  std::printf("%-30s %12s %16s %18s %12s\n", "mode", "step (ms)", "allreduce wait", "buckets started", "vs after");
  std::printf("%-30s %12s %16s %18s %12s\n", "", "", "after bwd (ms)", "during backward", "backward");
  for (int m = 0; m < 3; ++m) {
    std::printf("%-30s %12.1f %16.1f %18s %11.2fx\n", names[m], sum[m].step * 1e3, sum[m].wait * 1e3,
                m == 0 ? "-" : (std::to_string(sum[m].started_in_backward) + "/" +
                                std::to_string(overlapped.buckets().size())).c_str(),
                sum[1].step / sum[m].step);
  }
  if (comm.size() == 1) std::printf("(one rank: nothing is reduced; run under mpirun -np N)\n");
}

}  // namespace
}  // namespace zegclip::distributed

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  at::set_num_threads(1);  // the ranks share the cores; packing copies are not what is measured
  absl::StatusOr<zegclip::distributed::Backend> backend = zegclip::distributed::ParseBackend(FLAGS_backend);
  if (!backend.ok()) {
    std::fprintf(stderr, "allreduce_benchmark: --backend: %s\n", std::string(backend.status().message()).c_str());
    return 2;
  }
  auto comm = zegclip::distributed::CreateCommunicator({*backend, /*timeout_seconds=*/600});
  if (!comm.ok()) {
    std::fprintf(stderr, "allreduce_benchmark: %s\n", std::string(comm.status().message()).c_str());
    return 1;
  }
  zegclip::distributed::BandwidthTable(**comm);
  zegclip::distributed::BucketingTable(**comm);
  zegclip::distributed::OverlapTable(**comm);
  return 0;
}
