#include "zegclip/engine/segmentor_builder.h"

#include "absl/strings/str_cat.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/engine/process_setup.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/config/class_split.h"
#include "zegclip/model/authors_checkpoint.h"
#include "zegclip/train/checkpoint.h"

namespace zegclip::engine {

namespace {

absl::StatusOr<model::ZegClipSegmentor> BuildAuthorsSegmentor(const config::Experiment& e, const std::string& path) {
  if (!FileExists(path)) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  absl::StatusOr<base::TensorMap> state = base::ReadTensorArchive(path);
  if (!state.ok()) return state.status();
  const model::SegmentorOptions base = SegmentorOptionsFrom(e.model(), ClipOptionsFrom(e.model().clip()));
  absl::StatusOr<model::SegmentorOptions> options = model::SegmentorOptionsFromAuthors(*state, base);
  if (!options.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", options.status().message()));
  model::ZegClipSegmentor model(*options);
  absl::Status loaded = model::LoadAuthorsWeights(*state, *model, path);
  if (!loaded.ok()) return loaded;
  return model;
}

absl::StatusOr<model::ZegClipSegmentor> BuildTrainedSegmentor(const config::Experiment& e,
                                                              const std::string& clip_checkpoint,
                                                              const std::string& checkpoint) {
  for (const std::string& path : {clip_checkpoint, checkpoint}) {
    if (!FileExists(path)) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  absl::StatusOr<model::SegmentorOptions> options = SegmentorOptionsForClip(e.model(), clip_checkpoint);
  if (!options.ok()) return options.status();
  model::ZegClipSegmentor model(*options);
  train::TrainingState ignored;
  absl::Status loaded = train::LoadCheckpoint(checkpoint, *model, nullptr, &ignored);
  if (!loaded.ok()) return loaded;
  return model;
}

// The experiment's CLIP: architecture read off model.clip.checkpoint, its weights loaded, the encoder mode applied.
absl::StatusOr<model::ZegClipSegmentor> BuildFromClip(const config::Experiment& e) {
  const std::string& checkpoint = e.model().clip().checkpoint();
  if (checkpoint.empty() || !FileExists(checkpoint)) {
    return absl::NotFoundError(absl::StrCat("model.clip.checkpoint: '", checkpoint,
                                            "' not found (OpenAI's ViT-B-16.pt or a clip.pt from pretrain-clip)"));
  }
  absl::StatusOr<model::SegmentorOptions> options = SegmentorOptionsForClip(e.model(), checkpoint);
  if (!options.ok()) return options.status();
  torch::manual_seed(e.seed());
  model::ZegClipSegmentor model(*options);
  absl::Status loaded = clip::LoadClipWeights(checkpoint, *model->clip);
  if (!loaded.ok()) return loaded;
  clip::ApplyEncoderMode(*model->clip, PromptOptionsFrom(e.model()).mode);
  return model;
}

}  // namespace

absl::StatusOr<model::ZegClipSegmentor> BuildSegmentor(const config::Experiment& e, const SegmentorSource& source) {
  if (!source.authors_checkpoint.empty()) return BuildAuthorsSegmentor(e, source.authors_checkpoint);
  if (!source.checkpoint.empty()) return BuildTrainedSegmentor(e, source.clip_checkpoint, source.checkpoint);
  return BuildFromClip(e);
}

absl::StatusOr<clip::BpeTokenizer> LoadCheckedTokenizer(const model::ZegClipSegmentorImpl& model,
                                                        const std::string& merges_path, const std::string& field,
                                                        const std::string& source, const std::string& advice) {
  clip::BpeTokenizerOptions options;
  options.merges_path = merges_path;
  absl::StatusOr<clip::BpeTokenizer> tokenizer = clip::BpeTokenizer::Load(options);
  if (!tokenizer.ok()) return tokenizer.status();
  const int64_t vocab_size = model.options().clip.vocab_size;
  if (tokenizer->vocab_size() != vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", merges_path, " has ", tokenizer->vocab_size(),
                                                   " tokens but the text encoder of ", source, " was trained with ",
                                                   vocab_size, " (", advice, ")"));
  }
  return tokenizer;
}

absl::StatusOr<std::unique_ptr<SegmentorSetup>> SegmentorSetup::Create(const config::Experiment& e,
                                                                       distributed::Communicator& comm,
                                                                       const std::string& authors_checkpoint) {
  absl::StatusOr<model::ZegClipSegmentor> model = BuildSegmentor(e, {.authors_checkpoint = authors_checkpoint});
  if (!model.ok()) return model.status();
  const std::string& source = authors_checkpoint.empty() ? e.model().clip().checkpoint() : authors_checkpoint;
  absl::StatusOr<clip::BpeTokenizer> tokenizer =
      LoadCheckedTokenizer(**model, BpeVocabPath(e.model().clip()), "model.clip.bpe_vocab", source,
                           "set model.clip.bpe_vocab to that CLIP's vocabulary");
  if (!tokenizer.ok()) return tokenizer.status();
  auto setup = std::make_unique<SegmentorSetup>();
  setup->device = ComputeDevice(comm);
  setup->model = *model;
  setup->model->to(setup->device);
  setup->class_names = config::ResolveClassSplit(e.data())->names;
  setup->class_embeddings = setup->model->EmbedClasses(*tokenizer, setup->class_names, TemplatesFrom(e.model()));
  return setup;
}

model::LogitsFn SegmentorSetup::LogitsFn() {
  // The decoder's grid logits, left on the device: model::Scores upsamples and scores them there.
  return [this](const at::Tensor& images) { return model->forward(images.to(device), class_embeddings).back(); };
}

model::LogitsFn SegmentorSetup::DenseSimilarityFn() {
  return [this](const at::Tensor& images) {
    clip::VisionOutput dense = model->clip->visual->ForwardDense(images.to(device));
    // (B, HW, D) · (C, D)ᵀ → (B, C, h, w); cosine similarities (both sides are unit length).
    at::Tensor similarity = dense.patches.matmul(class_embeddings.t()).transpose(1, 2);
    return similarity.reshape({images.size(0), -1, dense.grid_h, dense.grid_w});
  };
}

}  // namespace zegclip::engine
