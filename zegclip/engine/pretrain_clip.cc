#include "zegclip/engine/pretrain_clip.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "data/class_catalog.h"
#include "data/synthetic_world.h"
#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/config/class_split.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/engine/process_setup.h"
#include "zegclip/engine/progress_bar.h"
#include "zegclip/engine/resumable_loader.h"
#include "zegclip/engine/run_records.h"
#include "zegclip/engine/synthetic_attributes.h"
#include "zegclip/pretrain/contrastive_step.h"
#include "zegclip/pretrain/retrieval.h"
#include "zegclip/pretrain/world_vocabulary.h"
#include "zegclip/report/run_manifest.h"
#include "zegclip/train/profiler_hook.h"

namespace zegclip::engine {

namespace {

constexpr char kPretrainTemplate[] = "a {} object.";

struct RetrievalSet {
  at::Tensor images;   // (N, 3, H, W) normalised
  at::Tensor targets;  // (N) class ids
};

// `per_class` held-out single-object images of every class of the segmenter's world (a split no training step
// draws from).
RetrievalSet MakeRetrievalSet(const config::Experiment& e, int64_t per_class) {
  data::SyntheticWorldOptions options = WorldOptionsFrom(e);
  options.single_object = true;
  options.distractors.clear();  // retrieval measures CLIP on one named object
  data::TransformOptions t;
  std::vector<at::Tensor> images;
  std::vector<int64_t> targets;
  for (int64_t c = 0; c < data::SyntheticLabelCount(options); ++c) {
    options.classes = {c};
    for (int64_t i = 0; i < per_class; ++i) {
      data::SyntheticScene scene = data::RenderSyntheticScene(options, "retrieval", c * per_class + i);
      images.push_back(data::NormalizeImage(scene.sample.image, t.mean, t.std));
      targets.push_back(c);
    }
  }
  return {at::stack(images), at::tensor(targets, at::kLong)};
}

// The world CLIP's pairs come from: data.synthetic's without distractors, with the pretrain.* overrides (0 = keep;
// pretrain.classes: its compositions).
data::SyntheticWorldOptions PretrainWorldOptions(const config::Experiment& e) {
  const config::ClipPretrainConfig& p = e.pretrain();
  data::SyntheticWorldOptions o = WorldOptionsFrom(e);
  // A caption names every shape of its image; the segmenter's distractors are never named.
  o.distractors.clear();
  if (!p.classes().empty()) o.compositions = SyntheticCompositionIds(p.classes());
  if (p.image_size() > 0) o.image_size = p.image_size();
  if (p.min_object_size() > 0) o.min_object_size = p.min_object_size();
  if (p.max_object_size() > 0) o.max_object_size = p.max_object_size();
  o.varied_caption_fraction = p.varied_caption_fraction();
  if (p.max_objects() > 0) {
    o.max_objects = p.max_objects();
    o.min_objects = std::min(o.min_objects, o.max_objects);
  }
  return o;
}

// The vocabulary of what CLIP pre-trains on: a composition only the segmenter names is spelled in byte tokens.
absl::StatusOr<clip::BpeTokenizer> WorldTokenizer(const config::Experiment& e, const std::string& work_dir,
                                                  distributed::Communicator& comm) {
  const std::string path = work_dir + "/world_bpe.txt.gz";
  if (comm.is_main()) {
    absl::Status written = pretrain::WriteWorldVocabulary(
        path, data::SyntheticLabelCompositions(PretrainWorldOptions(e)), {kPretrainTemplate});
    if (!written.ok()) return written;
  }
  comm.Barrier();
  clip::BpeTokenizerOptions options;
  options.merges_path = path;
  return clip::BpeTokenizer::Load(options);
}

train::ParamGroupOptions PretrainGroups(const config::ClipPretrainConfig& p) {
  train::ParamGroupOptions o;
  o.base_lr = p.lr();
  o.weight_decay = p.weight_decay();
  o.beta2 = 0.98;  // CLIP's
  o.eps = 1e-6;
  o.combine_matching_rules = true;
  // CLIP decays only weight matrices: no decay on gains, biases, embeddings and the temperature.
  o.rules = {{"ln_", 1, 0}, {"bias", 1, 0}, {"embedding", 1, 0}, {"logit_scale", 1, 0}};
  return o;
}

absl::Status TrainClip(const config::Experiment& e, const StageOptions& stage, clip::ClipModel clip,
                       const clip::BpeTokenizer& tokenizer, RunRecords& records, distributed::Communicator& comm) {
  const std::string& work_dir = stage.work_dir;
  const config::ClipPretrainConfig& p = e.pretrain();
  absl::StatusOr<std::unique_ptr<data::SyntheticWorldDataset>> dataset = data::SyntheticWorldDataset::Create(
      PretrainWorldOptions(e), "pretrain", int64_t{p.max_iters()} * p.batch_size() * comm.size());
  if (!dataset.ok()) return absl::InvalidArgumentError(absl::StrCat("pretrain: ", dataset.status().message()));
  data::TransformOptions normalise_only;
  normalise_only.random_resize = false;
  normalise_only.crop_height = normalise_only.crop_width = 0;
  normalise_only.flip_prob = 0;
  normalise_only.photometric = false;
  data::LoaderOptions loader_options = TrainLoaderOptionsFrom(e, comm);
  loader_options.batch_size = p.batch_size();
  train::ParamGroups groups = train::ParamGroups::Build(train::NamedParameters(*clip), PretrainGroups(p));
  std::unique_ptr<torch::optim::AdamW> optimizer = groups.MakeAdamW();
  train::LrScheduleOptions schedule_options;
  schedule_options.policy = train::LrPolicy::kCosine;
  schedule_options.max_iters = p.max_iters();
  schedule_options.min_lr = 0;
  schedule_options.warmup_iters = p.warmup_iters();
  schedule_options.warmup_ratio = 1e-3;
  train::LrSchedule schedule(schedule_options);
  train::TrainerOptions trainer_options;
  trainer_options.work_dir = work_dir;
  trainer_options.max_iters = p.max_iters();
  trainer_options.log_interval = p.log_interval();
  trainer_options.print = false;
  trainer_options.resume = stage.resume;
  trainer_options.bf16_autocast = p.bf16();
  train::Trainer trainer(trainer_options, *clip, *optimizer, groups, schedule, comm);
  auto loader = std::make_unique<ResumableLoader>(std::shared_ptr<const data::Dataset>(std::move(*dataset)),
                                                  data::TrainPipeline(normalise_only), loader_options);
  ResumableLoader* batches = loader.get();
  trainer.AddHook(std::move(loader));  // before the records, as in TrainSegmentor
  trainer.AddHook(records.RecordingHook());
  if (!stage.profile_dir.empty()) {
    trainer.AddHook(std::make_unique<train::ProfilerHook>(train::ProfilerOptions{stage.profile_dir}, comm.is_main()));
  }
  trainer.AddHook(std::make_unique<ProgressBar>("clip", p.max_iters(), comm.is_main()));
  pretrain::ContrastiveStep step(clip, tokenizer);
  return trainer.Run([batches] { return batches->Next(); }, step);
}

}  // namespace

absl::StatusOr<report::PretrainRecord> PretrainClip(const config::Experiment& e, const StageOptions& stage,
                                                    distributed::Communicator& comm) {
  const std::string& work_dir = stage.work_dir;
  const std::string& invocation = stage.invocation;
  // Locked for the stage; config.pbtxt and history.jsonl are written once the resume point has loaded.
  absl::StatusOr<std::unique_ptr<RunRecords>> records = RunRecords::Open(
      {work_dir, "pretrain-clip", config::ResumeStage::kPretrain, stage.resume, invocation, comm.is_main()}, e);
  if (!records.ok()) return records.status();
  report::RunManifest manifest = report::StartManifest(invocation, "pretrain-clip", e.seed());
  absl::StatusOr<clip::BpeTokenizer> tokenizer = WorldTokenizer(e, work_dir, comm);
  if (!tokenizer.ok()) return tokenizer.status();
  clip::ClipOptions options = ClipOptionsFrom(e.model().clip());
  options.vocab_size = tokenizer->vocab_size();
  options.class_embedding_twice = false;  // a CLIP of its own: OpenAI's architecture exactly
  torch::manual_seed(e.seed());
  clip::ClipModel clip(options);
  clip->to(ComputeDevice(comm));
  absl::Status trained = TrainClip(e, stage, clip, *tokenizer, **records, comm);
  if (!trained.ok()) return trained;

  absl::StatusOr<config::ClassSplit> split = config::ResolveClassSplit(e.data());
  std::vector<std::string> prompts;
  for (const std::string& name : split->names)
    prompts.push_back(absl::StrReplaceAll(kPretrainTemplate, {{"{}", name}}));
  absl::StatusOr<at::Tensor> prompt_tokens = tokenizer->Tokenize(prompts, options.context_length);
  if (!prompt_tokens.ok()) return prompt_tokens.status();
  RetrievalSet set = MakeRetrievalSet(e, e.pretrain().retrieval_images_per_class());
  pretrain::RetrievalResult r =
      pretrain::EvaluateRetrieval(*clip, set.images, set.targets, *prompt_tokens, split->seen, split->unseen);
  report::PretrainRecord summary;
  summary.retrieval_images = set.targets.numel();
  summary.checkpoint = work_dir + "/clip.pt";
  summary.vocabulary = work_dir + "/world_bpe.txt.gz";
  summary.retrieval = r.accuracy;
  summary.retrieval_seen = r.seen_accuracy;
  summary.retrieval_unseen = r.unseen_accuracy;
  std::tie(summary.unseen_colour, summary.unseen_pattern) = UnseenAttributeShares(
      PairCounts(set.targets, r.predictions, static_cast<int64_t>(split->names.size())), split->unseen,
      data::SyntheticLabelCompositions(WorldOptionsFrom(e)));
  if (comm.is_main()) {
    absl::Status saved = clip::SaveClipCheckpoint(*clip, summary.checkpoint);
    if (!saved.ok()) return saved;
    absl::Status written = report::WritePretrainRecord(work_dir + "/pretrain.json", summary);
    if (!written.ok()) return written;
    manifest.world_size = comm.size();
    manifest.backend = comm.backend();
    manifest.threads = at::get_num_threads();
    report::FinishManifest(&manifest);
    absl::Status m = report::WriteManifest(manifest, work_dir + "/manifest.json");
    if (!m.ok()) return m;
  }
  comm.Barrier();
  return summary;
}

std::string FormatPretrainSummary(const report::PretrainRecord& s) {
  return absl::StrFormat(
      "  CLIP image→text retrieval top-1: all %.1f | seen %.1f | unseen %.1f (unseen: colour right %.1f, "
      "pattern right %.1f)\n  checkpoint: %s",
      s.retrieval, s.retrieval_seen, s.retrieval_unseen, s.unseen_colour, s.unseen_pattern, s.checkpoint);
}

}  // namespace zegclip::engine
