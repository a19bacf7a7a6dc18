// Do the C++ model and the PyTorch reference the benchmarks compare against compute the same function? Loads the
// reference's random weights (benchmarks/reference/export_agreement.py wrote them under the authors' released names)
// through the authors'-checkpoint importer, runs our Logits on the reference's images and text, and reports the
// difference from each reference output: max |diff|, max |diff| / max |reference|, mean |diff| and the share of
// pixels whose argmax class agrees. Our explicit and fused attention kernels are both checked in fp32 (and bf16
// autocast on CUDA against the reference's bf16 run).
//
//   /usr/bin/python3 benchmarks/reference/export_agreement.py --out=/tmp/agree
//   build/bin/reference_agreement --dir=/tmp/agree [--device=cuda] [--json_out=agreement.json]
//
// Exit status: 0 when every fp32 comparison is within --fp32_tolerance (relative), 1 when one is not, 2 on bad input.
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <c10/core/InferenceMode.h>
#include <gflags/gflags.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "zegclip/model/authors_checkpoint.h"
#include "zegclip/base/tensor_archive.h"
#include "zegclip/model/zegclip_segmentor.h"
#include "zegclip/train/cuda_autocast.h"

DEFINE_string(dir, "", "folder written by benchmarks/reference/export_agreement.py (weights.tensors, io.tensors)");
DEFINE_string(device, "cpu", "cpu or cuda");
DEFINE_string(json_out, "", "write the comparisons to this JSON file");
DEFINE_double(fp32_tolerance, 1e-4, "largest accepted max |diff| / max |reference| for fp32 comparisons");

namespace zegclip::benchmarks {
namespace {

struct Comparison {
  std::string ours;       // "explicit_fp32" | "fused_fp32" | "bf16"
  std::string reference;  // a key of io.tensors
  double max_abs = 0, max_rel = 0, mean_abs = 0, argmax_agree = 0;
  bool checked = false;  // fp32 comparisons are held to the tolerance
};

Comparison Compare(const at::Tensor& ours, const at::Tensor& reference) {
  Comparison c;
  const at::Tensor diff = (ours.to(at::kCPU, at::kFloat) - reference).abs();
  c.max_abs = diff.max().item<double>();
  c.mean_abs = diff.mean().item<double>();
  c.max_rel = c.max_abs / std::max(reference.abs().max().item<double>(), 1e-30);
  c.argmax_agree = ours.to(at::kCPU).argmax(1).eq(reference.argmax(1)).to(at::kDouble).mean().item<double>();
  return c;
}

absl::StatusOr<at::Tensor> Get(const base::TensorMap& io, const std::string& key, const std::string& path) {
  auto it = io.find(key);
  if (it == io.end()) return absl::InvalidArgumentError(absl::StrCat(path, ": no '", key, "' tensor"));
  return it->second;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "reference_agreement: %s\n", std::string(s.message()).c_str());
  return 2;
}

int Run() {
  if (FLAGS_dir.empty()) return Fail(absl::InvalidArgumentError("--dir is required (export_agreement.py's --out)"));
  if (FLAGS_device != "cpu" && FLAGS_device != "cuda") {
    return Fail(absl::InvalidArgumentError(absl::StrCat("--device must be cpu or cuda, got '", FLAGS_device, "'")));
  }
  if (FLAGS_device == "cuda" && !torch::cuda::is_available()) {
    return Fail(absl::FailedPreconditionError("--device=cuda: no CUDA device available"));
  }
  const at::Device device = FLAGS_device == "cuda" ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  // The reference turns TF32 off too: both sides compute true fp32.
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);

  const std::string weights_path = FLAGS_dir + "/weights.tensors";
  const std::string io_path = FLAGS_dir + "/io.tensors";
  absl::StatusOr<base::TensorMap> state = base::ReadTensorArchive(weights_path);
  if (!state.ok()) return Fail(state.status());
  absl::StatusOr<base::TensorMap> io = base::ReadTensorArchive(io_path);
  if (!io.ok()) return Fail(io.status());
  absl::StatusOr<at::Tensor> images = Get(*io, "images", io_path);
  absl::StatusOr<at::Tensor> text = Get(*io, "text", io_path);
  if (!images.ok()) return Fail(images.status());
  if (!text.ok()) return Fail(text.status());

  // Head counts are not in the weights' shapes: the exporter writes them beside the inputs.
  model::SegmentorOptions base;
  for (const auto& [key, field] : {std::pair<const char*, int64_t*>{"heads", &base.clip.vision_heads},
                                   {"text_heads", &base.clip.text_heads},
                                   {"decoder_heads", &base.decoder.heads}}) {
    absl::StatusOr<at::Tensor> heads = Get(*io, key, io_path);
    if (!heads.ok()) return Fail(heads.status());
    *field = heads->item<int64_t>();
  }
  absl::StatusOr<model::SegmentorOptions> options = model::SegmentorOptionsFromAuthors(*state, base);
  if (!options.ok()) return Fail(options.status());
  std::vector<Comparison> rows;
  for (const bool fused : {false, true}) {
    options->clip.fused_attention = fused;
    model::ZegClipSegmentor model(*options);
    absl::Status loaded = model::LoadAuthorsWeights(*state, *model, weights_path);
    if (!loaded.ok()) return Fail(loaded);
    model->eval();
    model->to(device);
    c10::InferenceMode inference_mode;
    const at::Tensor logits = model->Logits(images->to(device), text->to(device));
    for (const char* key : {"eager_fp32", "sdpa_fp32"}) {
      if (io->count(key) == 0) continue;
      Comparison c = Compare(logits, io->at(key));
      c.ours = fused ? "fused_fp32" : "explicit_fp32";
      c.reference = key;
      c.checked = true;
      rows.push_back(c);
    }
    if (fused && device.is_cuda() && io->count("eager_bf16") > 0) {
      at::Tensor bf16;
      {
        train::CudaBf16Autocast autocast(true);
        bf16 = model->Logits(images->to(device), text->to(device));
      }
      Comparison c = Compare(bf16, io->at("eager_bf16"));
      c.ours = "bf16";
      c.reference = "eager_bf16";
      rows.push_back(c);
      Comparison to_fp32 = Compare(bf16, io->at("eager_fp32"));
      to_fp32.ours = "bf16";
      to_fp32.reference = "eager_fp32";
      rows.push_back(to_fp32);
    }
  }

  bool ok = true;
  nlohmann::json json = {{"torch_version", TORCH_VERSION}, {"device", FLAGS_device}, {"dir", FLAGS_dir},
                         {"fp32_tolerance", FLAGS_fp32_tolerance}, {"rows", nlohmann::json::array()}};
  std::printf("%-14s %-12s %12s %12s %12s %8s\n", "ours", "reference", "max|diff|", "max rel", "mean|diff|",
              "argmax");
  for (const Comparison& c : rows) {
    const bool pass = !c.checked || c.max_rel <= FLAGS_fp32_tolerance;
    ok = ok && pass;
    std::printf("%-14s %-12s %12.3g %12.3g %12.3g %7.3f%%%s\n", c.ours.c_str(), c.reference.c_str(), c.max_abs,
                c.max_rel, c.mean_abs, 100 * c.argmax_agree, pass ? "" : "  FAIL");
    json["rows"].push_back({{"ours", c.ours}, {"reference", c.reference}, {"max_abs", c.max_abs},
                            {"max_rel", c.max_rel}, {"mean_abs", c.mean_abs}, {"argmax_agree", c.argmax_agree},
                            {"checked", c.checked}, {"pass", pass}});
  }
  if (!FLAGS_json_out.empty()) {
    std::ofstream(FLAGS_json_out) << json.dump(2) << "\n";
  }
  std::printf("reference_agreement: %s (tolerance %.1g relative, %s, torch %s)\n", ok ? "AGREE" : "DISAGREE",
              FLAGS_fp32_tolerance, FLAGS_device.c_str(), TORCH_VERSION);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace zegclip::benchmarks

int main(int argc, char** argv) {
  gflags::SetUsageMessage("C++ vs PyTorch-reference outputs on shared weights (see the file header)");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return zegclip::benchmarks::Run();
}
