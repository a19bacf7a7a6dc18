#include "zegclip/pretrain/contrastive_step.h"

#include <map>

#include "zegclip/pretrain/contrastive_loss.h"

namespace zegclip::pretrain {

at::Tensor TrimToLongest(const at::Tensor& tokens) {
  TORCH_CHECK(tokens.dim() == 2 && tokens.size(0) > 0 && tokens.size(1) > 0, "TrimToLongest: expected (N, L) tokens");
  // End-of-text has the largest id of a row (what EncodeText pools), so its index + 1 is the row's used length.
  const int64_t used = tokens.argmax(-1).max().item<int64_t>() + 1;
  return tokens.narrow(1, 0, used);
}

ContrastiveStep::ContrastiveStep(clip::ClipModel clip, clip::BpeTokenizer tokenizer)
    : clip_(std::move(clip)), tokenizer_(std::move(tokenizer)) {}

train::StepOutput ContrastiveStep::Step(const data::Batch& batch) {
  absl::StatusOr<at::Tensor> tokens = tokenizer_.Tokenize(batch.captions, clip_->options().context_length);
  TORCH_CHECK(tokens.ok(), tokens.status().message());
  *tokens = TrimToLongest(*tokens);
  // Captions saying the same thing get equal ids: they are each other's positives. What a caption says is its key
  // where the data gives one (the synthetic world phrases one content many ways), else its text.
  std::map<std::string, int64_t> ids;
  std::vector<int64_t> caption_ids;
  for (size_t i = 0; i < batch.captions.size(); ++i) {
    const bool keyed = i < batch.caption_keys.size() && !batch.caption_keys[i].empty();
    const std::string& content = keyed ? batch.caption_keys[i] : batch.captions[i];
    caption_ids.push_back(ids.emplace(content, static_cast<int64_t>(ids.size())).first->second);
  }
  const at::Device device = clip_->logit_scale.device();
  const at::Tensor image = clip_->EncodeImage(batch.images.to(device));
  const at::Tensor text = clip_->EncodeText(tokens->to(device));
  train::StepOutput out;
  out.loss = ContrastiveLoss(image, text, clip_->logit_scale,
                             at::tensor(at::ArrayRef<int64_t>(caption_ids), at::kLong).to(device));
  out.scalars = {{"logit_scale", clip_->logit_scale.exp().item<double>()},
                 {"unique_captions", static_cast<double>(ids.size())}};
  return out;
}

}  // namespace zegclip::pretrain
