#include "zegclip/eval/segmentation_evaluator.h"

#include <sys/stat.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "zegclip/base/atomic_file.h"

namespace zegclip::eval {
namespace {

struct Pending {  // a batch of equally sized transformed images
  std::vector<at::Tensor> images, labels;
  std::vector<data::Sample> raw;
};

// Per-class scores at each label's resolution, one (1, C, h, w) CPU tensor per image.
std::vector<at::Tensor> ScoreBatch(const Pending& batch, const model::LogitsFn& logits_fn,
                                   const model::InferenceOptions& inference) {
  const at::Tensor scores = model::Scores(logits_fn, at::stack(batch.images), inference);
  TORCH_CHECK(scores.size(0) == static_cast<int64_t>(batch.labels.size()), "one score map per image expected");
  std::vector<at::Tensor> out;
  for (size_t i = 0; i < batch.labels.size(); ++i) {
    const int64_t h = batch.labels[i].size(0), w = batch.labels[i].size(1);
    out.push_back(model::ResizeScores(scores.slice(0, i, i + 1), h, w).cpu());
  }
  return out;
}

// Runs the model over this rank's share of the dataset, calling `consume(scores, label, raw)` per image; the scores
// are calibrated with `seen_offset`.
absl::Status ForEachScored(const data::Dataset& dataset, const data::SampleTransform& pipeline,
                           const model::LogitsFn& logits_fn, distributed::Communicator& comm,
                           const EvaluatorOptions& options, double seen_offset,
                           const std::function<void(const at::Tensor&, const at::Tensor&, const data::Sample&)>& consume) {
  at::NoGradGuard no_grad;
  model::InferenceOptions inference = options.inference;
  inference.offset_classes = model::CalibratedClasses(options.split);
  inference.seen_offset = seen_offset;
  const int64_t total = options.max_images > 0 ? std::min(options.max_images, dataset.size()) : dataset.size();
  Pending pending;
  auto flush = [&]() {
    if (pending.images.empty()) return;
    std::vector<at::Tensor> scores = ScoreBatch(pending, logits_fn, inference);
    for (size_t i = 0; i < scores.size(); ++i) consume(scores[i], pending.labels[i], pending.raw[i]);
    pending = Pending();
  };
  for (int64_t index = comm.rank(); index < total; index += comm.size()) {
    absl::StatusOr<data::Sample> sample = dataset.Get(index);
    if (!sample.ok()) return sample.status();
    data::SampleRng rng(0, 0, index);
    absl::StatusOr<data::TransformedSample> transformed = pipeline(*sample, rng);
    if (!transformed.ok()) return transformed.status();
    if (!pending.images.empty() && pending.images[0].sizes() != transformed->image.sizes()) flush();
    pending.images.push_back(transformed->image);
    pending.labels.push_back(transformed->label);
    pending.raw.push_back(*sample);
    if (static_cast<int64_t>(pending.images.size()) >= options.batch_size) flush();
  }
  flush();
  return absl::OkStatus();
}

at::Tensor SumOverRanks(at::Tensor counts, distributed::Communicator& comm) {
  at::Tensor on_device = counts.to(at::kDouble).to(comm.device()).contiguous();
  comm.AllReduceSum(on_device);
  return on_device.cpu().round().to(at::kLong);
}

}  // namespace

absl::StatusOr<EvalResult> Evaluate(const data::Dataset& dataset, const data::SampleTransform& pipeline,
                                    const model::LogitsFn& logits_fn, distributed::Communicator& comm,
                                    const EvaluatorOptions& options) {
  ConfusionMatrix matrix(options.split.num_classes);
  EvalResult result;
  int64_t images = 0;
  absl::Status status = ForEachScored(
      dataset, pipeline, logits_fn, comm, options, options.seen_offset,
      [&](const at::Tensor& scores, const at::Tensor& label, const data::Sample& raw) {
        at::Tensor pred = model::LabelsFromScores(scores)[0];
        matrix.Add(pred, label);
        ++images;
        if (comm.is_main() && static_cast<int64_t>(result.examples.size()) < options.examples &&
            pred.sizes() == raw.label.sizes()) {
          result.examples.push_back({raw.id, raw.image, raw.label, pred.to(at::kByte)});
        }
      });
  if (!status.ok()) return status;
  result.counts = SumOverRanks(matrix.counts(), comm);
  result.images = static_cast<int64_t>(comm.AllReduceSum(static_cast<double>(images)));
  result.metrics = Compute(ConfusionMatrix::FromCounts(result.counts), options.split.seen, options.split.unseen);
  return result;
}

absl::StatusOr<std::vector<std::pair<double, double>>> SweepSeenOffset(
    const data::Dataset& dataset, const data::SampleTransform& pipeline, const model::LogitsFn& logits_fn,
    distributed::Communicator& comm, EvaluatorOptions options, const std::vector<double>& candidates) {
  // One matrix each (copies of a ConfusionMatrix would share their counts tensor).
  std::vector<ConfusionMatrix> matrices;
  for (size_t c = 0; c < candidates.size(); ++c) matrices.emplace_back(options.split.num_classes);
  const std::vector<int64_t> calibrated = model::CalibratedClasses(options.split);
  absl::Status status = ForEachScored(
      dataset, pipeline, logits_fn, comm, options, /*seen_offset=*/0,
      [&](const at::Tensor& scores, const at::Tensor& label, const data::Sample&) {
        for (size_t c = 0; c < candidates.size(); ++c) {
          matrices[c].Add(model::LabelsFromScores(model::SubtractSeenOffset(scores, calibrated, candidates[c]))[0],
                          label);
        }
      });
  if (!status.ok()) return status;
  std::vector<std::pair<double, double>> out;
  for (size_t c = 0; c < candidates.size(); ++c) {
    at::Tensor counts = SumOverRanks(matrices[c].counts(), comm);
    out.emplace_back(candidates[c],
                     Compute(ConfusionMatrix::FromCounts(counts), options.split.seen, options.split.unseen).hiou);
  }
  return out;
}

absl::Status WriteExamples(const std::vector<Example>& examples, const std::string& dir) {
  mkdir(dir.c_str(), 0755);
  for (size_t k = 0; k < examples.size(); ++k) {
    const Example& e = examples[k];
    char stem[32];
    std::snprintf(stem, sizeof(stem), "/%03zu", k);
    const int64_t h = e.image.size(0), w = e.image.size(1);
    auto write = [&](const std::string& suffix, const char* magic, const at::Tensor& pixels) -> absl::Status {
      const std::string path = dir + stem + suffix;
      const at::Tensor bytes = pixels.contiguous();
      // Atomically, like every result file: a report made while an eval is killed never shows a torn image.
      absl::Status s = base::WriteFileAtomically(path, [&](std::ostream& out) {
        out << magic << "\n" << w << " " << h << "\n255\n";
        out.write(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()), bytes.numel());
        return absl::OkStatus();
      });
      if (!s.ok()) return absl::UnavailableError(absl::StrCat(path, ": cannot write example image: ", s.message()));
      return absl::OkStatus();
    };
    for (absl::Status s : {write("_image.ppm", "P6", e.image), write("_label.pgm", "P5", e.label),
                           write("_pred.pgm", "P5", e.pred)}) {
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace zegclip::eval
