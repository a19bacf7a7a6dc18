// The first stage of the synthetic experiment: contrastive pre-training of a small CLIP on synthetic-world
// image-caption pairs covering every composition (unseen ones included: CLIP knows all concepts at image level), then
// image→text retrieval on held-out single-object images, reported for seen and unseen compositions.
// Leaves clip.pt (OpenAI's archive layout and names, loadable exactly like ViT-B-16.pt), world_bpe.txt.gz,
// pretrain.json, metrics.jsonl, manifest.json, config.pbtxt and history.jsonl in the work dir.
//
// Example:
//   absl::StatusOr<report::PretrainRecord> clip = PretrainClip(experiment, {"runs/q/clip"}, comm);
//   experiment.mutable_model()->mutable_clip()->set_checkpoint(clip->checkpoint);
#ifndef ZEGCLIP_ENGINE_PRETRAIN_CLIP_H_
#define ZEGCLIP_ENGINE_PRETRAIN_CLIP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"
#include "zegclip/engine/stage_options.h"
#include "zegclip/report/pretrain_record.h"

namespace zegclip::engine {

// Returns what it writes to pretrain.json.
absl::StatusOr<report::PretrainRecord> PretrainClip(const config::Experiment& experiment, const StageOptions& stage,
                                                    distributed::Communicator& comm);

std::string FormatPretrainSummary(const report::PretrainRecord& record);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_PRETRAIN_CLIP_H_
