#include "zegclip/pretrain/retrieval.h"

#include <torch/autograd.h>

#include <limits>

namespace zegclip::pretrain {
namespace {

double AccuracyOver(const at::Tensor& correct, const at::Tensor& targets, const std::vector<int64_t>& ids) {
  if (ids.empty()) return std::numeric_limits<double>::quiet_NaN();
  at::Tensor mask = at::isin(targets, at::tensor(at::ArrayRef<int64_t>(ids), at::kLong));
  const int64_t count = mask.sum().item<int64_t>();
  if (count == 0) return std::numeric_limits<double>::quiet_NaN();
  return 100.0 * correct.logical_and(mask).sum().item<int64_t>() / count;
}

}  // namespace

RetrievalResult EvaluateRetrieval(clip::ClipModelImpl& clip, const at::Tensor& images, const at::Tensor& targets,
                                  const at::Tensor& prompt_tokens, const std::vector<int64_t>& seen,
                                  const std::vector<int64_t>& unseen, int64_t batch) {
  TORCH_CHECK(images.size(0) == targets.size(0), "one target per image");
  torch::NoGradGuard no_grad;
  const bool was_training = clip.is_training();
  clip.eval();
  const at::Device device = clip.logit_scale.device();  // the inputs come from the CPU side
  at::Tensor text = clip.EncodeText(prompt_tokens.to(device));
  text = text / text.norm(2, -1, true);
  std::vector<at::Tensor> predictions;
  for (int64_t start = 0; start < images.size(0); start += batch) {
    at::Tensor image = clip.EncodeImage(images.slice(0, start, start + batch).to(device));
    predictions.push_back((image / image.norm(2, -1, true)).matmul(text.t()).argmax(1).to(at::kCPU));
  }
  if (was_training) clip.train();
  RetrievalResult result;
  result.predictions = at::cat(predictions);
  const at::Tensor correct = result.predictions.eq(targets);
  result.accuracy = 100.0 * correct.sum().item<int64_t>() / std::max<int64_t>(1, targets.numel());
  result.seen_accuracy = AccuracyOver(correct, targets, seen);
  result.unseen_accuracy = AccuracyOver(correct, targets, unseen);
  return result;
}

}  // namespace zegclip::pretrain
