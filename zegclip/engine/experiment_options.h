// The edge where the experiment config becomes plain Options structs: modules never see a proto.
//
// Example:
//   model::SegmentorOptions options = SegmentorOptionsFrom(experiment.model(), clip_options);
//   model::ZeroShotSplit split = ZeroShotSplitFrom(experiment);
#ifndef ZEGCLIP_ENGINE_EXPERIMENT_OPTIONS_H_
#define ZEGCLIP_ENGINE_EXPERIMENT_OPTIONS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/loader.h"
#include "data/sample.h"
#include "data/synthetic_world.h"
#include "data/transforms.h"
#include "zegclip/clip/clip_options.h"
#include "zegclip/clip/prompt_options.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator_factory.h"
#include "zegclip/eval/segmentation_evaluator.h"
#include "zegclip/losses/nel_loss.h"
#include "zegclip/model/inference.h"
#include "zegclip/model/zegclip_segmentor.h"
#include "zegclip/model/zero_shot_setting.h"
#include "zegclip/train/lr_schedule.h"
#include "zegclip/train/param_groups.h"
#include "zegclip/train/segmentation_step.h"
#include "zegclip/train/trainer.h"

namespace zegclip::engine {

// The architecture as the config states it (used to build a CLIP from scratch for pre-training).
clip::ClipOptions ClipOptionsFrom(const config::ClipConfig& clip);
// Run-time switches of the config applied to an architecture read off a checkpoint.
clip::ClipOptions WithRunTimeSwitches(clip::ClipOptions architecture, const config::ClipConfig& clip);
clip::PromptOptions PromptOptionsFrom(const config::ModelConfig& model);
model::SegmentorOptions SegmentorOptionsFrom(const config::ModelConfig& model, const clip::ClipOptions& clip);
// The experiment's segmentor on the CLIP architecture read off a checkpoint (OpenAI's or pretrain-clip's).
absl::StatusOr<model::SegmentorOptions> SegmentorOptionsForClip(const config::ModelConfig& model,
                                                                const std::string& clip_checkpoint);
model::ZeroShotSplit ZeroShotSplitFrom(const config::Experiment& experiment);
train::SegmentationStepOptions StepOptionsFrom(const config::Experiment& experiment);
std::vector<std::string> TemplatesFrom(const config::ModelConfig& model);

train::LrScheduleOptions ScheduleFrom(const config::TrainConfig& train);
// lr × head_lr_mult for the image encoder's trainables and the head; no weight decay on norm layers.
train::ParamGroupOptions ParamGroupOptionsFrom(const config::TrainConfig& train);
train::TrainerOptions TrainerOptionsFrom(const config::Experiment& experiment, const std::string& work_dir);
distributed::DistOptions DistOptionsFrom(const config::DistributedConfig& distributed);

data::TransformOptions TrainTransformsFrom(const config::DataConfig& data);
data::TransformOptions TestTransformsFrom(const config::DataConfig& data, const config::EvalConfig& eval);
data::LoaderOptions TrainLoaderOptionsFrom(const config::Experiment& experiment, const distributed::Communicator& comm);
// eval.{mode, crop, stride} and the loss's score kind; the seen offset is the caller's (it depends on the split).
model::InferenceOptions InferenceOptionsFrom(const config::Experiment& experiment);
eval::EvaluatorOptions EvaluatorOptionsFrom(const config::Experiment& experiment);
// data.synthetic and the seed; SYNTHETIC's data.classes become the world's compositions (labels in their order).
data::SyntheticWorldOptions WorldOptionsFrom(const config::Experiment& experiment);
// class_catalog.h's composition id of each name (-1 for a name that is none; validation refuses those first).
std::vector<int64_t> SyntheticCompositionIds(const google::protobuf::RepeatedPtrField<std::string>& names);

// The tokenizer's merges file: model.clip.bpe_vocab, or OpenAI's vocabulary vendored with the platform.
std::string BpeVocabPath(const config::ClipConfig& clip);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_EXPERIMENT_OPTIONS_H_
