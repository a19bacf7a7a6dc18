#include "tools/segmentor_setup.h"

#include <torch/cuda.h>

#include "absl/strings/str_cat.h"
#include "tools/experiment_options.h"
#include "tools/run_directory.h"
#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/config/class_split.h"

namespace zegclip::tools {

at::Device ComputeDevice(const dist::Communicator& comm) {
  if (comm.device().is_cuda()) return comm.device();
  return torch::cuda::is_available() ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
}

absl::StatusOr<std::unique_ptr<SegmentorSetup>> SegmentorSetup::Create(const config::Experiment& e,
                                                                       dist::Communicator& comm) {
  const std::string& checkpoint = e.model().clip().checkpoint();
  if (checkpoint.empty() || !FileExists(checkpoint)) {
    return absl::NotFoundError(absl::StrCat("model.clip.checkpoint: '", checkpoint,
                                            "' not found (OpenAI's ViT-B-16.pt or a clip.pt from pretrain-clip)"));
  }
  absl::StatusOr<model::SegmentorOptions> options = SegmentorOptionsForClip(e.model(), checkpoint);
  if (!options.ok()) return options.status();
  clip::BpeTokenizerOptions tokenizer_options;
  tokenizer_options.merges_path = BpeVocabPath(e.model().clip());
  absl::StatusOr<clip::BpeTokenizer> tokenizer = clip::BpeTokenizer::Load(tokenizer_options);
  if (!tokenizer.ok()) return tokenizer.status();
  if (tokenizer->vocab_size() != options->clip.vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model.clip.bpe_vocab: ", tokenizer_options.merges_path, " has ", tokenizer->vocab_size(),
        " tokens but the CLIP checkpoint ", checkpoint, " was trained with ", options->clip.vocab_size));
  }
  auto setup = std::make_unique<SegmentorSetup>();
  setup->device = ComputeDevice(comm);
  torch::manual_seed(e.seed());
  setup->model = model::ZegClipSegmentor(*options);
  absl::Status loaded = clip::LoadClipWeights(checkpoint, *setup->model->clip);
  if (!loaded.ok()) return loaded;
  clip::ApplyEncoderMode(*setup->model->clip, PromptOptionsFrom(e.model()).mode);
  setup->model->to(setup->device);
  setup->class_names = config::ResolveClassSplit(e.data())->names;
  setup->class_embeddings = setup->model->EmbedClasses(*tokenizer, setup->class_names, TemplatesFrom(e.model()));
  return setup;
}

model::LogitsFn SegmentorSetup::LogitsFn() {
  return [this](const at::Tensor& images) {
    return model->Logits(images.to(device), class_embeddings).to(at::kCPU);
  };
}

model::LogitsFn SegmentorSetup::DenseSimilarityFn() {
  return [this](const at::Tensor& images) {
    clip::VisionOutput dense = model->clip->visual->ForwardDense(images.to(device));
    // (B, HW, D) · (C, D)ᵀ → (B, C, h, w); cosine similarities (both sides are unit length).
    at::Tensor similarity = dense.patches.matmul(class_embeddings.t()).transpose(1, 2);
    similarity = similarity.reshape({images.size(0), -1, dense.grid_h, dense.grid_w});
    return model::UpsampleLogits(similarity, images.size(2), images.size(3)).to(at::kCPU);
  };
}

}  // namespace zegclip::tools
