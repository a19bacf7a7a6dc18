// The quickstart's two training steps at their real sizes, timed as the trainer runs them, against the same work
// in PyTorch eager (benchmarks/reference/step_reference.py, run just before in the same session), with the ops per
// step counted on both sides (ATen calls with no op nested inside: what a GPU would launch as kernels).
//
//   clip_step     contrastive pre-training: 256 pairs, ViT patch 8 on 32x32 (17 tokens), text of 9 tokens,
//                 width 128, 4 + 3 layers; AdamW over every parameter
//   zegclip_step  64 images of 64x64 (69 tokens with the deep prompts), 28 seen classes, relationship
//                 descriptor, 3-layer decoder, logits upsampled to 64x64, NEL loss; AdamW over prompts and head
//
// The model is built from the experiment file (default: the quickstart's) with random weights.
//
//   python3 benchmarks/reference/step_reference.py --json_out=/tmp/ref.json
//   bazel run //benchmarks:step_benchmark -- --reference_json=/tmp/ref.json
#include <ATen/ATen.h>
#include <gflags/gflags.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/engine/host_tuning.h"
#include "zegclip/losses/fused_nel_loss.h"
#include "zegclip/model/zegclip_segmentor.h"
#include "zegclip/pretrain/contrastive_loss.h"
#include "zegclip/train/cpu_autocast.h"
#include "zegclip/train/op_profile.h"
#include "zegclip/train/op_recorder.h"
#include "zegclip/train/param_groups.h"
#include "zegclip/train/segmentation_step.h"

DEFINE_string(config, "experiments/synthetic_quickstart.pbtxt", "the experiment whose steps are measured");
DEFINE_int32(iters, 10, "timed steps per row (the median is reported)");
DEFINE_int32(warmup, 3, "untimed steps first");
DEFINE_int32(threads, 0, "intra-op threads (0: every core)");
DEFINE_string(precisions, "fp32,bf16", "fp32 and/or bf16 (CPU autocast, where the CPU computes bf16 natively)");
DEFINE_bool(loss_rows, true, "also time the NEL loss alone, composed from ATen ops and fused");
DEFINE_string(reference_json, "", "step_reference.py's rows: print C++ / reference ratios");
DEFINE_string(json_out, "", "write the rows here");

namespace zegclip::benchmarks {
namespace {

struct Row {
  std::string name, precision;
  double ms = 0;
  int64_t leaf_ops = 0, op_calls = 0;
};

Row Measure(const std::string& name, const std::string& precision, torch::optim::Optimizer& optimizer,
            const std::function<at::Tensor()>& loss) {
  const bool bf16 = precision == "bf16";
  // zero_grad, forward (under autocast for bf16), backward, AdamW: what Trainer::OneStep runs.
  const std::function<void()> step = [&] {
    optimizer.zero_grad();
    at::Tensor l;
    {
      train::CpuBf16Autocast autocast(bf16);
      l = loss();
    }
    l.backward();
    optimizer.step();
  };
  for (int i = 0; i < FLAGS_warmup; ++i) step();
  std::vector<double> ms;
  for (int i = 0; i < FLAGS_iters; ++i) {
    const auto start = std::chrono::steady_clock::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  Row row{name, precision, ms[ms.size() / 2]};
  train::OpRecorder recorder;
  step();
  const train::OpProfile profile = train::SummarizeOps(recorder.Stop(), 1);
  row.leaf_ops = profile.leaf_calls;
  row.op_calls = profile.calls;
  std::fprintf(stderr, "[step_benchmark] %-12s %s %8.1f ms  %5lld leaf ops\n", name.c_str(), precision.c_str(), row.ms,
               static_cast<long long>(row.leaf_ops));
  return row;
}

// The reference's labels: two objects per image in bands on an ignored background, classes (b·7) and (b·7 + 5)
// of the trained ones (step_reference.py's banded_labels), here as label ids of the experiment's seen classes.
at::Tensor BandedLabels(int64_t batch, int64_t size, const std::vector<int64_t>& seen) {
  at::Tensor labels = at::full({batch, size, size}, 255, at::kLong);
  const int64_t classes = static_cast<int64_t>(seen.size());
  for (int64_t b = 0; b < batch; ++b) {
    at::Tensor rows = labels[b].narrow(0, size / 4, size / 2);
    rows.narrow(1, 0, size / 2).fill_(seen[(b * 7) % classes]);
    rows.narrow(1, size / 2, size - size / 2).fill_(seen[(b * 7 + 5) % classes]);
  }
  return labels;
}

Row ZegclipStep(const config::Experiment& e, const std::string& precision) {
  at::manual_seed(0);
  const model::SegmentorOptions options =
      engine::SegmentorOptionsFrom(e.model(), engine::ClipOptionsFrom(e.model().clip()));
  model::ZegClipSegmentor model(options);
  clip::ApplyEncoderMode(*model->clip, options.prompt.mode);
  model->train();
  train::SegmentationStepOptions step_options = engine::StepOptionsFrom(e);
  const int64_t classes = step_options.split.num_classes;
  const at::Tensor text = at::randn({classes, options.clip.embed_dim});
  train::SegmentationStep step(model, text / text.norm(2, -1, true), step_options);
  train::ParamGroups groups =
      train::ParamGroups::Build(train::NamedParameters(*model), engine::ParamGroupOptionsFrom(e.train()));
  std::unique_ptr<torch::optim::AdamW> adamw = groups.MakeAdamW();
  const int64_t size = e.data().crop_size(), batch = e.data().batch_size_per_rank();
  data::Batch data;
  data.images = at::randn({batch, 3, size, size});
  data.labels = BandedLabels(batch, size, step_options.split.seen);
  return Measure("zegclip_step", precision, *adamw, [&] { return step.Step(data).loss; });
}

Row ClipStep(const config::Experiment& e, const std::string& precision) {
  at::manual_seed(0);
  clip::ClipOptions options = engine::ClipOptionsFrom(e.model().clip());
  options.vocab_size = 512;  // the world vocabulary's order of size; the reference's
  options.class_embedding_twice = false;
  clip::ClipModel model(options);
  model->train();
  train::ParamGroupOptions group_options;
  group_options.base_lr = e.pretrain().lr();
  group_options.weight_decay = e.pretrain().weight_decay();
  train::ParamGroups groups = train::ParamGroups::Build(train::NamedParameters(*model), group_options);
  std::unique_ptr<torch::optim::AdamW> adamw = groups.MakeAdamW();
  const int64_t batch = e.pretrain().batch_size(), size = e.pretrain().image_size();
  const at::Tensor images = at::randn({batch, 3, size, size});
  // Captions of 4-9 tokens ending in the largest id (EOT), padded to the longest, as the reference's.
  at::Tensor tokens = at::zeros({batch, 9}, at::kLong);
  for (int64_t i = 0; i < batch; ++i) {
    const int64_t n = 4 + i % 6;
    tokens[i].narrow(0, 0, n).copy_(at::randint(1, 511, {n}, at::kLong));
    tokens[i][n - 1] = 511;
  }
  const at::Tensor ids = at::arange(batch, at::kLong);
  return Measure("clip_step", precision, *adamw, [&] {
    return pretrain::ContrastiveLoss(model->EncodeImage(images), model->EncodeText(tokens), model->logit_scale, ids);
  });
}

// The NEL loss alone at the ZegCLIP step's size (64 x 28 x 64 x 64 logits), forward and backward: the composed ATen
// version against the fused one (losses/fused_nel_loss.h), same inputs, same run.
std::vector<Row> LossRows(const config::Experiment& e) {
  const train::SegmentationStepOptions options = engine::StepOptionsFrom(e);
  const int64_t size = e.data().crop_size(), batch = e.data().batch_size_per_rank();
  const int64_t classes = static_cast<int64_t>(options.split.seen.size());
  std::vector<int64_t> trained(classes);
  for (int64_t c = 0; c < classes; ++c) trained[c] = c;
  const at::Tensor labels = BandedLabels(batch, size, trained);
  at::manual_seed(0);
  const at::Tensor logits = at::randn({batch, classes, size, size});
  std::vector<Row> rows;
  for (const bool fused : {false, true}) {
    at::Tensor x = logits.clone().requires_grad_();
    const auto pass = [&] {
      x.mutable_grad() = at::Tensor();
      losses::NelLossResult r = fused ? losses::FusedNelLoss(x, labels, classes, options.nel)
                                      : losses::ComposedNelLoss(x, labels, classes, options.nel);
      r.total.backward();
    };
    for (int i = 0; i < FLAGS_warmup; ++i) pass();
    std::vector<double> ms;
    for (int i = 0; i < FLAGS_iters; ++i) {
      const auto start = std::chrono::steady_clock::now();
      pass();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    Row row{fused ? "nel_loss_fused" : "nel_loss_composed", "fp32", ms[ms.size() / 2]};
    train::OpRecorder recorder;
    pass();
    const train::OpProfile profile = train::SummarizeOps(recorder.Stop(), 1);
    row.leaf_ops = profile.leaf_calls;
    row.op_calls = profile.calls;
    rows.push_back(row);
  }
  return rows;
}

std::map<std::string, nlohmann::json> ReadReference(const std::string& path) {
  std::map<std::string, nlohmann::json> rows;
  if (path.empty()) return rows;
  std::ifstream in(path);
  const nlohmann::json report = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!report.is_object() || !report.contains("rows")) {
    std::fprintf(stderr, "step_benchmark: %s is not step_reference.py's output; no ratios\n", path.c_str());
    return rows;
  }
  for (const nlohmann::json& row : report["rows"]) rows[row.value("name", "")] = row;
  return rows;
}

void PrintTable(const std::vector<Row>& rows, const std::map<std::string, nlohmann::json>& reference) {
  std::printf("| step | precision | C++ ms/step | reference ms/step (fp32) | speed-up | C++ ops/step | "
              "reference ops/step |\n|---|---|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const auto ref = reference.find(r.name);
    std::string ref_ms = "-", ratio = "-", ref_ops = "-";
    if (ref != reference.end()) {
      const double ms = ref->second.value("ms_median", 0.0);
      ref_ms = absl::StrFormat("%.1f", ms);
      ratio = absl::StrFormat("%.2fx", ms / r.ms);
      ref_ops = absl::StrCat(ref->second.value("leaf_ops", 0));
    }
    std::printf("%s", absl::StrFormat("| %s | %s | %.1f | %s | %s | %d | %s |\n", r.name, r.precision, r.ms, ref_ms,
                                      ratio, r.leaf_ops, ref_ops).c_str());
  }
}

int Run() {
  absl::StatusOr<config::Experiment> e = config::LoadExperiment(FLAGS_config, {});
  if (!e.ok()) {
    std::fprintf(stderr, "step_benchmark: %s\n", std::string(e.status().message()).c_str());
    return 2;
  }
  // As the trainer (engine/process_setup.cc): LibTorch would otherwise start with one intra-op thread here.
  at::set_num_threads(FLAGS_threads > 0 ? FLAGS_threads
                                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  std::vector<Row> rows;
  for (const char* precision : {"fp32", "bf16"}) {
    if (FLAGS_precisions.find(precision) == std::string::npos) continue;
    if (std::string(precision) == "bf16" && !train::CpuBf16Autocast::Supported()) {
      std::fprintf(stderr, "step_benchmark: this CPU has no native bf16; bf16 rows skipped\n");
      continue;
    }
    rows.push_back(ClipStep(*e, precision));
    rows.push_back(ZegclipStep(*e, precision));
  }
  if (FLAGS_loss_rows) {
    for (const Row& row : LossRows(*e)) rows.push_back(row);
  }
  PrintTable(rows, ReadReference(FLAGS_reference_json));
  if (!FLAGS_json_out.empty()) {
    nlohmann::json out = {{"threads", at::get_num_threads()}, {"rows", nlohmann::json::array()}};
    for (const Row& r : rows) {
      out["rows"].push_back({{"name", r.name}, {"precision", r.precision}, {"ms_median", r.ms},
                             {"leaf_ops", r.leaf_ops}, {"op_calls", r.op_calls}});
    }
    std::ofstream(FLAGS_json_out) << out.dump(1) << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace zegclip::benchmarks

int main(int argc, char** argv) {
  zegclip::engine::TuneHost(argv);  // the process settings the trainer runs with (engine/host_tuning.h)
  gflags::SetUsageMessage("the quickstart's CLIP and ZegCLIP training steps against PyTorch eager (file header)");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (const char* dir = std::getenv("BUILD_WORKING_DIRECTORY"); dir != nullptr && chdir(dir) != 0) return 2;
  return zegclip::benchmarks::Run();
}
