#include "zegclip/engine/experiment_options.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "data/class_catalog.h"
#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/config/class_split.h"

namespace zegclip::engine {

clip::ClipOptions ClipOptionsFrom(const config::ClipConfig& c) {
  clip::ClipOptions o;
  o.image_resolution = c.pretrain_image_size();
  o.patch_size = c.patch_size();
  o.vision_width = c.vision_width();
  o.vision_layers = c.vision_layers();
  o.vision_heads = c.vision_heads();
  o.embed_dim = c.embed_dim();
  o.context_length = c.context_length();
  o.vocab_size = c.vocab_size();
  o.text_width = c.text_width();
  o.text_heads = c.text_heads();
  o.text_layers = c.text_layers();
  return WithRunTimeSwitches(o, c);
}

absl::StatusOr<model::SegmentorOptions> SegmentorOptionsForClip(const config::ModelConfig& model,
                                                                const std::string& clip_checkpoint) {
  absl::StatusOr<clip::ClipOptions> architecture = clip::InferClipOptions(clip_checkpoint);
  if (!architecture.ok()) return architecture.status();
  return SegmentorOptionsFrom(model, WithRunTimeSwitches(*architecture, model.clip()));
}

clip::ClipOptions WithRunTimeSwitches(clip::ClipOptions o, const config::ClipConfig& c) {
  o.drop_path = c.drop_path();
  o.class_embedding_twice = c.class_embedding_twice();
  return o;
}

clip::PromptOptions PromptOptionsFrom(const config::ModelConfig& m) {
  clip::PromptOptions o;
  switch (m.encoder_mode()) {
    case config::DEEP_PROMPT: o.mode = clip::EncoderMode::kDeepPrompt; break;
    case config::SHALLOW_PROMPT: o.mode = clip::EncoderMode::kShallowPrompt; break;
    case config::FROZEN: o.mode = clip::EncoderMode::kFrozen; break;
    case config::FINETUNE: o.mode = clip::EncoderMode::kFinetune; break;
  }
  o.tokens = m.prompt_tokens();
  o.depth = m.prompt_depth();
  o.dropout = m.prompt_dropout();
  return o;
}

model::SegmentorOptions SegmentorOptionsFrom(const config::ModelConfig& m, const clip::ClipOptions& clip) {
  model::SegmentorOptions o;
  o.clip = clip;
  o.prompt = PromptOptionsFrom(m);
  o.decoder.layers = m.decoder().layers();
  o.decoder.width = m.decoder().width();
  o.decoder.heads = m.decoder().heads();
  o.decoder.ffn_ratio = m.decoder().ffn_ratio();
  o.decoder.dropout = m.decoder().dropout();
  o.decoder.input_projection = m.decoder().input_projection();
  o.relationship_descriptor = m.query() == config::RELATIONSHIP;
  return o;
}

model::ZeroShotSplit ZeroShotSplitFrom(const config::Experiment& e) {
  // The config was validated on load, so the split resolves.
  absl::StatusOr<config::ClassSplit> classes = config::ResolveClassSplit(e.data());
  model::ZeroShotSplit split;
  split.num_classes = static_cast<int64_t>(classes->names.size());
  split.seen = classes->seen;
  split.unseen = classes->unseen;
  switch (e.model().setting()) {
    case config::INDUCTIVE: split.setting = model::Setting::kInductive; break;
    case config::TRANSDUCTIVE: split.setting = model::Setting::kTransductive; break;
    case config::FULLY_SUPERVISED: split.setting = model::Setting::kFullySupervised; break;
  }
  return split;
}

train::SegmentationStepOptions StepOptionsFrom(const config::Experiment& e) {
  train::SegmentationStepOptions o;
  o.split = ZeroShotSplitFrom(e);
  const config::LossConfig& l = e.model().loss();
  o.loss = l.kind() == config::NEL ? train::LossKind::kNel : train::LossKind::kEl;
  o.nel.focal_weight = l.focal_weight();
  o.nel.dice_weight = l.dice_weight();
  o.nel.alpha = l.focal_alpha();
  o.nel.gamma = l.focal_gamma();
  o.nel.ignore_as_negative = l.ignore_as_negative();
  o.deep_supervision = e.model().decoder().deep_supervision();
  return o;
}

std::vector<std::string> TemplatesFrom(const config::ModelConfig& m) {
  if (m.templates().empty()) return {"a photo of a {}."};
  return {m.templates().begin(), m.templates().end()};
}

train::LrScheduleOptions ScheduleFrom(const config::TrainConfig& t) {
  train::LrScheduleOptions o;
  switch (t.schedule()) {
    case config::POLY: o.policy = train::LrPolicy::kPoly; break;
    case config::COSINE: o.policy = train::LrPolicy::kCosine; break;
    case config::CONSTANT: o.policy = train::LrPolicy::kConstant; break;
  }
  o.max_iters = t.max_iters();
  o.power = t.poly_power();
  o.min_lr = t.min_lr();
  o.warmup_iters = t.warmup_iters();
  o.warmup_ratio = t.warmup_ratio();
  return o;
}

train::ParamGroupOptions ParamGroupOptionsFrom(const config::TrainConfig& t) {
  train::ParamGroupOptions o;
  o.base_lr = t.lr();
  o.weight_decay = t.weight_decay();
  // Multipliers combine: "clip.visual" / "decoder" / "rd." give the lr multiplier, "norm" / "ln_" zero decay.
  o.combine_matching_rules = true;
  o.rules = {{"clip.visual.", t.head_lr_mult(), 1.0},
             {"decoder.", t.head_lr_mult(), 1.0},
             {"rd.", t.head_lr_mult(), 1.0},
             {"norm", 1.0, 0.0},
             {"ln_", 1.0, 0.0}};
  return o;
}

train::TrainerOptions TrainerOptionsFrom(const config::Experiment& e, const std::string& work_dir) {
  train::TrainerOptions o;
  o.work_dir = work_dir;
  o.max_iters = e.train().max_iters();
  o.log_interval = e.train().log_interval();
  o.checkpoint_interval = e.train().checkpoint_interval();
  o.grad_clip_norm = e.train().grad_clip_norm();
  o.keep_last = e.train().keep_checkpoints();
  o.bf16_autocast = e.train().bf16();
  o.buckets.first_bucket_bytes = int64_t{e.distributed().first_bucket_mib()} << 20;
  o.buckets.bucket_bytes = int64_t{e.distributed().bucket_mib()} << 20;
  o.buckets.overlap = e.distributed().overlap_allreduce();
  o.print = false;  // the progress bar shows the numbers; metrics.jsonl keeps them
  return o;
}

distributed::DistOptions DistOptionsFrom(const config::DistributedConfig& d) {
  distributed::DistOptions o;
  switch (d.backend()) {
    case config::AUTO: o.backend = distributed::Backend::kAuto; break;
    case config::SINGLE: o.backend = distributed::Backend::kSingle; break;
    case config::MPI: o.backend = distributed::Backend::kMpi; break;
    case config::NCCL: o.backend = distributed::Backend::kNccl; break;
  }
  o.timeout_seconds = d.timeout_seconds();
  return o;
}

data::TransformOptions TrainTransformsFrom(const config::DataConfig& d) {
  data::TransformOptions o;
  // The world is rendered at its final size: no resize, no crop.
  const bool synthetic = d.dataset() == config::SYNTHETIC;
  o.random_resize = !synthetic;
  o.scale_long = d.scale_long();
  o.scale_short = d.scale_short();
  o.ratio_min = d.ratio_min();
  o.ratio_max = d.ratio_max();
  o.crop_height = o.crop_width = synthetic ? 0 : d.crop_size();
  o.cat_max_ratio = d.cat_max_ratio();
  o.flip_prob = d.flip_prob();
  o.photometric = d.photometric();
  return o;
}

data::TransformOptions TestTransformsFrom(const config::DataConfig& d, const config::EvalConfig& e) {
  data::TransformOptions o = TrainTransformsFrom(d);
  const bool resize = d.dataset() != config::SYNTHETIC;
  o.test_short_side = resize ? e.test_short_side() : 0;
  o.test_long_side_max = resize ? e.test_long_side_max() : 0;
  o.test_min_size = resize ? e.test_min_size() : 0;
  return o;
}

data::LoaderOptions TrainLoaderOptionsFrom(const config::Experiment& e, const distributed::Communicator& comm) {
  data::LoaderOptions o;
  o.batch_size = e.data().batch_size_per_rank();
  o.num_workers = e.data().num_workers();
  o.prefetch_batches = e.data().prefetch_batches();
  o.seed = e.seed();
  o.rank = comm.rank();
  o.world_size = comm.size();
  return o;
}

model::InferenceOptions InferenceOptionsFrom(const config::Experiment& e) {
  model::InferenceOptions o;
  o.mode = e.eval().mode() == config::SLIDE ? model::InferenceMode::kSlide : model::InferenceMode::kWhole;
  o.crop = e.eval().crop();
  o.stride = e.eval().stride();
  o.score = train::ScoreKindFor(StepOptionsFrom(e).loss);
  return o;
}

eval::EvaluatorOptions EvaluatorOptionsFrom(const config::Experiment& e) {
  eval::EvaluatorOptions o;
  o.split = ZeroShotSplitFrom(e);
  o.inference = InferenceOptionsFrom(e);
  o.seen_offset = e.model().seen_score_offset();
  o.max_images = e.eval().max_images();
  o.batch_size = e.eval().batch_size();
  o.examples = e.report().example_images();
  return o;
}

data::SyntheticWorldOptions WorldOptionsFrom(const config::Experiment& e) {
  const config::SyntheticWorldConfig& w = e.data().synthetic();
  data::SyntheticWorldOptions o;
  o.image_size = w.image_size();
  o.min_objects = w.min_objects();
  o.max_objects = w.max_objects();
  o.min_object_size = w.min_object_size();
  o.max_object_size = w.max_object_size();
  o.seed = e.seed();
  // Names validated for the synthetic dataset only (config_validation.cc); empty classes keep the base world with
  // label = composition id.
  if (e.data().dataset() == config::SYNTHETIC) {
    o.compositions = SyntheticCompositionIds(e.data().classes());
    o.distractors = SyntheticCompositionIds(w.distractors());
  }
  o.min_distractors = w.min_distractors();
  o.max_distractors = w.max_distractors();
  return o;
}

std::vector<int64_t> SyntheticCompositionIds(const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::vector<int64_t> ids;
  for (const std::string& name : names) ids.push_back(data::FindSyntheticComposition(name));
  return ids;
}

namespace {

constexpr char kVendoredBpe[] = "third_party/clip/bpe_simple_vocab_16e6.txt.gz";

// The folder of the running binary (symlinks resolved), "" if /proc cannot tell.
std::string ExecutableDir() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0) return "";
  const std::string exe(buffer, static_cast<size_t>(n));
  return exe.substr(0, exe.rfind('/'));
}

}  // namespace

std::string BpeVocabPath(const config::ClipConfig& c) {
  if (!c.bpe_vocab().empty()) return c.bpe_vocab();
  // OpenAI's vocabulary ships with the binary: in the runfiles tree under `bazel run` / `bazel test`, beside the
  // binary when it is run directly (bazel-bin/tools/zegclip.runfiles, wherever the command runs), in the source tree
  // the CMake build was configured from, and last relative to a source checkout.
  std::vector<std::string> candidates;
  for (const char* root : {getenv("RUNFILES_DIR"), getenv("TEST_SRCDIR")}) {
    if (root != nullptr) candidates.push_back(absl::StrCat(root, "/zegclip/", kVendoredBpe));
  }
  const std::string exe_dir = ExecutableDir();
  if (!exe_dir.empty()) candidates.push_back(absl::StrCat(exe_dir, "/zegclip.runfiles/zegclip/", kVendoredBpe));
#ifdef ZEGCLIP_SOURCE_DIR
  candidates.push_back(absl::StrCat(ZEGCLIP_SOURCE_DIR, "/", kVendoredBpe));
#endif
  for (const std::string& path : candidates) {
    if (access(path.c_str(), R_OK) == 0) return path;
  }
  return kVendoredBpe;
}

}  // namespace zegclip::engine
