// Builds the ZegCLIP model of an experiment: the CLIP architecture read off model.clip.checkpoint (OpenAI's
// ViT-B-16.pt or a self-pretrained clip.pt), its weights loaded, the encoder mode applied, the class embeddings of
// all classes computed once by the frozen text encoder, everything on the process's device.
//
// Example:
//   absl::StatusOr<std::unique_ptr<SegmentorSetup>> setup = SegmentorSetup::Create(experiment, comm);
//   at::Tensor logits = (*setup)->LogitsFn()(images);   // (B, C_all, H/patch, W/patch) mask logits
#ifndef ZEGCLIP_ENGINE_SEGMENTOR_BUILDER_H_
#define ZEGCLIP_ENGINE_SEGMENTOR_BUILDER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"
#include "zegclip/model/inference.h"
#include "zegclip/model/zegclip_segmentor.h"

namespace zegclip::engine {

struct SegmentorSetup {
  // With `authors_checkpoint` (an authors' release converted by tools/convert_zegclip_checkpoint.py) the model and
  // its weights come from that file (BuildAuthorsSegmentor) and model.clip.checkpoint is not read.
  static absl::StatusOr<std::unique_ptr<SegmentorSetup>> Create(const config::Experiment& experiment,
                                                                distributed::Communicator& comm,
                                                                const std::string& authors_checkpoint = "");

  // images → the prediction's mask logits at the decoder's grid for every class, on `device` (model/inference.h
  // upsamples them per window; eval mode is the caller's business).
  model::LogitsFn LogitsFn();
  // The training-free baseline (MaskCLIP-like): per-patch cosine similarity of the CLIP image patches with the class
  // embeddings at the patch grid; no head, no training.
  model::LogitsFn DenseSimilarityFn();

  model::ZegClipSegmentor model{nullptr};
  at::Tensor class_embeddings;  // (C, D) unit rows, every class in label order
  std::vector<std::string> class_names;
  at::Device device = at::kCPU;
};

// Where a segmentor's architecture and weights come from. Empty: the experiment's model on the architecture and
// weights of model.clip.checkpoint (OpenAI's ViT-B-16.pt or a clip.pt from pretrain-clip), the encoder mode applied
// (the start of training).
struct SegmentorSource {
  // A checkpoint written by `zegclip train`: the experiment's model on the architecture read off clip_checkpoint
  // (its weights are not read: the checkpoint holds every parameter).
  std::string checkpoint;
  std::string clip_checkpoint;
  // An authors' release converted by tools/convert_zegclip_checkpoint.py: the architecture its shapes imply on top
  // of the experiment's options (model/authors_checkpoint.h), every weight loaded from it.
  std::string authors_checkpoint;
};

// The one segmentor builder (train, eval, segment, export-authors), on the CPU. Errors name the file.
absl::StatusOr<model::ZegClipSegmentor> BuildSegmentor(const config::Experiment& experiment,
                                                       const SegmentorSource& source);

// The BPE tokenizer of merges_path, checked against the model's text encoder. Error: "<field>: <path> has N tokens
// but the text encoder of <source> was trained with M (<advice>)".
absl::StatusOr<clip::BpeTokenizer> LoadCheckedTokenizer(const model::ZegClipSegmentorImpl& model,
                                                        const std::string& merges_path, const std::string& field,
                                                        const std::string& source, const std::string& advice);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_SEGMENTOR_BUILDER_H_
