// ZegCLIP training-step speed: iterations/s, images/s, latency and peak memory of one full step — forward,
// logits upsampled to the label size, NEL loss (100·focal + dice), backward through the frozen encoder into the
// deep prompts, AdamW over the trainable parameters — at the VOC recipe (4 images of 512x512 per GPU, n=10
// prompt tokens, 20 classes) and the COCO-Stuff recipe (n=100, 171 classes). bf16 rows autocast the forward;
// the loss is computed in fp32, as the released code's force_fp32 loss.
//
//   bazel run //benchmarks:train_step_benchmark -- --quick
//   build/bin/train_step_benchmark --device=cuda --json_out=cpp.json --reference_json=ref.json
#include <ATen/ATen.h>
#include <gflags/gflags.h>
#include <torch/optim/adamw.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "benchmarks/benchmark_report.h"
#include "benchmarks/benchmark_runtime.h"
#include "benchmarks/benchmark_setup.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/losses/nel_loss.h"
#include "zegclip/model/zegclip_segmentor.h"

DEFINE_string(recipes, "voc,coco", "voc (n=10 prompt tokens) and/or coco (n=100)");
DEFINE_int32(voc_classes, 20, "trained classes of the VOC rows");
DEFINE_int32(coco_classes, 171, "trained classes of the COCO-Stuff rows");
DEFINE_bool(breakdown, false, "also report mean forward / loss / backward / optimizer milliseconds per step");
DEFINE_int32(image_size, 0, "training crop size (0: 512; --tiny: 64; --quick: 256, to keep 2-core CPU runs short)");

namespace zegclip::benchmarks {
namespace {

struct Recipe {
  std::string name;  // "voc" | "coco"
  int64_t prompt_tokens = 10;
  int64_t classes = 20;
};

// Label maps with three classes per image in vertical bands and an ignored (255) top strip — VOC-like: few
// present classes, some ignore. The Python reference builds the same maps from the same formula.
at::Tensor BandedLabels(int64_t batch, int64_t size, int64_t classes) {
  at::Tensor labels = at::empty({batch, size, size}, at::kLong);
  auto acc = labels.accessor<int64_t, 3>();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t y = 0; y < size; ++y) {
      for (int64_t x = 0; x < size; ++x) {
        const int64_t band = x * 3 / size;
        acc[b][y][x] = y < size / 64 ? 255 : (b * 7 + band * 5) % classes;
      }
    }
  }
  return labels;
}

int64_t TrainSize(const CommonSettings& s) {
  if (FLAGS_image_size > 0) return FLAGS_image_size;
  return s.quick && !s.tiny ? 256 : BenchGeometry(s.tiny).crop;
}

BenchmarkRow RunRecipe(const Recipe& recipe, const std::string& precision, int64_t batch, const CommonSettings& s) {
  const int64_t size = TrainSize(s);
  BenchmarkRow row{"train_step", absl::StrCat(recipe.name, size), precision, batch, AttentionVariant(s.fused)};
  row.iters = s.iters;
  row.warmup = s.warmup;
  const at::Device device = s.device;
  try {
    at::manual_seed(0);
    model::ZegClipSegmentor model(BenchSegmentorOptions(recipe.prompt_tokens, s.tiny, s.fused));
    clip::ApplyEncoderMode(*model->clip, clip::EncoderMode::kDeepPrompt);
    model->to(device);
    model->train();
    std::vector<at::Tensor> params = model->HeadParameters();
    for (const at::Tensor& p : model->EncoderTrainableParameters()) params.push_back(p);
    torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(2e-4).weight_decay(0.01));
    const at::Tensor text = RandomUnitText(recipe.classes, model->options().clip.embed_dim, device);
    const at::Tensor images = at::randn({batch, 3, size, size}).to(device);
    const at::Tensor labels = BandedLabels(batch, size, recipe.classes).to(device);
    const bool bf16 = precision == "bf16";
    PhaseClock phases(device, FLAGS_breakdown);
    Timing t = TimeIterations(device, s.warmup, s.iters, [&] {
      phases.StartIteration();
      optimizer.zero_grad();
      at::Tensor logits;
      {
        Bf16Autocast autocast(device.type(), bf16);
        logits = model::UpsampleLogits(model->forward(images, text).back(), size, size);
      }
      phases.Mark("forward");
      losses::NelLossResult loss = losses::NelLoss(logits.to(at::kFloat), labels, recipe.classes);
      phases.Mark("loss");
      loss.total.backward();
      phases.Mark("backward");
      optimizer.step();
      phases.Mark("optimizer");
    });
    row.phases_ms = phases.MeanMs(s.iters);
    row.latency = SummarizeLatencies(t.latencies_ms);
    row.iters_per_s = s.iters / t.total_s;
    row.images_per_s = row.iters_per_s * static_cast<double>(batch);
    row.peak_mem_mb = t.peak_mem_mb;
  } catch (const std::exception& e) {
    const std::string what = e.what();
    row.status = absl::StrCat("error: ", what.substr(0, what.find('\n')));
  }
  ReleaseCachedMemory(device);  // each recipe builds its own model: start every row from an empty cache
  return row;
}

int Run() {
  absl::StatusOr<CommonSettings> settings = ResolveCommonFlags("4", "1");
  absl::StatusOr<std::vector<std::string>> recipes = ParseChoiceList("recipes", FLAGS_recipes, {"voc", "coco"});
  if (!settings.ok() || !recipes.ok()) {
    const absl::Status& bad = !settings.ok() ? settings.status() : recipes.status();
    std::fprintf(stderr, "train_step_benchmark: %s\n", std::string(bad.message()).c_str());
    return 2;
  }
  const CommonSettings& s = *settings;
  BenchmarkReport report = NewReport("train_step", s);
  report.config.update({{"voc_classes", FLAGS_voc_classes}, {"coco_classes", FLAGS_coco_classes},
                        {"image_size", TrainSize(s)}, {"optimizer", "AdamW lr 2e-4 wd 0.01"},
                        {"loss", "NEL 100*focal + dice"}});
  const Deadline deadline(FLAGS_time_budget_s);
  for (const std::string& name : *recipes) {
    const Recipe recipe =
        name == "voc" ? Recipe{"voc", 10, FLAGS_voc_classes} : Recipe{"coco", 100, FLAGS_coco_classes};
    for (const std::string& precision : s.precisions) {
      for (int64_t batch : s.batches) {
        BenchmarkRow row;
        if (deadline.Expired()) {
          row = BenchmarkRow{"train_step", absl::StrCat(name, TrainSize(s)), precision, batch,
                             AttentionVariant(s.fused), "skipped: time budget"};
        } else {
          row = RunRecipe(recipe, precision, batch, s);
        }
        std::fprintf(stderr, "[train_step_benchmark] %s %s: %.3f it/s\n", row.Key().c_str(), row.status.c_str(),
                     row.iters_per_s);
        report.rows.push_back(row);
      }
    }
  }
  return FinishReport(report);
}

}  // namespace
}  // namespace zegclip::benchmarks

int main(int argc, char** argv) {
  gflags::SetUsageMessage("ZegCLIP training-step iterations/s and peak memory (see the file header)");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return zegclip::benchmarks::Run();
}
