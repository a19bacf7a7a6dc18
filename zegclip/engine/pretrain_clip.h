// The first stage of the synthetic experiment: contrastive pre-training of a small CLIP on synthetic-world
// image-caption pairs covering every composition (unseen ones included: CLIP knows all concepts at image level), then
// image→text retrieval on held-out single-object images, reported for seen and unseen compositions.
// Leaves clip.pt (OpenAI's archive layout and names, loadable exactly like ViT-B-16.pt), world_bpe.txt.gz,
// pretrain.json, metrics.jsonl, manifest.json, config.pbtxt and history.jsonl in the work dir.
//
// Example:
//   absl::StatusOr<PretrainSummary> clip = PretrainClip(experiment, {"runs/q/clip"}, comm);
//   experiment.mutable_model()->mutable_clip()->set_checkpoint(clip->checkpoint);
#ifndef ZEGCLIP_ENGINE_PRETRAIN_CLIP_H_
#define ZEGCLIP_ENGINE_PRETRAIN_CLIP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"
#include "zegclip/engine/stage_options.h"

namespace zegclip::engine {

struct PretrainSummary {
  std::string checkpoint;   // clip.pt
  std::string vocabulary;   // world_bpe.txt.gz
  double retrieval = 0, retrieval_seen = 0, retrieval_unseen = 0;  // image→text top-1, percent
  double unseen_colour = 0, unseen_pattern = 0;                    // attribute right on unseen images, percent
};

absl::StatusOr<PretrainSummary> PretrainClip(const config::Experiment& experiment, const StageOptions& stage,
                                             distributed::Communicator& comm);

// pretrain.json: the summary and the number of retrieval images.
absl::Status WritePretrainJson(const std::string& path, const PretrainSummary& summary, int64_t images);
std::string FormatPretrainSummary(const PretrainSummary& summary);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_PRETRAIN_CLIP_H_
