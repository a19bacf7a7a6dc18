#include "zegclip/config/config_validation.h"

#include "absl/strings/str_cat.h"
#include "zegclip/config/class_split.h"

namespace zegclip::config {
namespace {

// Collects the first violation; later checks are skipped once one has failed.
class Checker {
 public:
  template <typename T>
  void Require(bool ok, const std::string& field, T value, const std::string& allowed) {
    if (!ok && status_.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat(field, ": ", value, " is not allowed (", allowed, ")"));
    }
  }
  void Fail(const std::string& message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(message);
  }
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

void CheckClip(const ClipConfig& clip, Checker& c) {
  c.Require(clip.patch_size() > 0, "model.clip.patch_size", clip.patch_size(), "> 0");
  c.Require(clip.vision_heads() > 0 && clip.vision_width() % clip.vision_heads() == 0, "model.clip.vision_heads",
            clip.vision_heads(), "> 0 and dividing model.clip.vision_width");
  c.Require(clip.text_heads() > 0 && clip.text_width() % clip.text_heads() == 0, "model.clip.text_heads",
            clip.text_heads(), "> 0 and dividing model.clip.text_width");
  c.Require(clip.vision_layers() > 0, "model.clip.vision_layers", clip.vision_layers(), "> 0");
  c.Require(clip.text_layers() > 0, "model.clip.text_layers", clip.text_layers(), "> 0");
  c.Require(clip.context_length() > 2, "model.clip.context_length", clip.context_length(), "> 2");
  c.Require(clip.drop_path() >= 0 && clip.drop_path() < 1, "model.clip.drop_path", clip.drop_path(), "in [0, 1)");
}

void CheckModel(const ModelConfig& model, Checker& c) {
  CheckClip(model.clip(), c);
  const bool prompted = model.encoder_mode() == DEEP_PROMPT || model.encoder_mode() == SHALLOW_PROMPT;
  c.Require(!prompted || model.prompt_tokens() > 0, "model.prompt_tokens", model.prompt_tokens(),
            "> 0 with a prompted encoder");
  c.Require(model.prompt_depth() >= 0 && model.prompt_depth() < model.clip().vision_layers(), "model.prompt_depth",
            model.prompt_depth(), "in [0, model.clip.vision_layers)");
  c.Require(model.prompt_dropout() >= 0 && model.prompt_dropout() < 1, "model.prompt_dropout",
            model.prompt_dropout(), "in [0, 1)");
  const DecoderConfig& d = model.decoder();
  c.Require(d.layers() > 0, "model.decoder.layers", d.layers(), "> 0");
  c.Require(d.heads() > 0 && d.width() % d.heads() == 0, "model.decoder.heads", d.heads(),
            "> 0 and dividing model.decoder.width");
  c.Require(d.width() == model.clip().embed_dim(), "model.decoder.width", d.width(),
            "equal to model.clip.embed_dim: queries are text embeddings");
  c.Require(d.ffn_ratio() > 0, "model.decoder.ffn_ratio", d.ffn_ratio(), "> 0");
  c.Require(d.dropout() >= 0 && d.dropout() < 1, "model.decoder.dropout", d.dropout(), "in [0, 1)");
  const LossConfig& l = model.loss();
  c.Require(l.focal_weight() >= 0, "model.loss.focal_weight", l.focal_weight(), ">= 0");
  c.Require(l.dice_weight() >= 0, "model.loss.dice_weight", l.dice_weight(), ">= 0");
  c.Require(l.focal_alpha() >= 0 && l.focal_alpha() <= 1, "model.loss.focal_alpha", l.focal_alpha(), "in [0, 1]");
  c.Require(l.focal_gamma() >= 0, "model.loss.focal_gamma", l.focal_gamma(), ">= 0");
  c.Require(model.seen_score_offset() >= 0 && model.seen_score_offset() <= 1, "model.seen_score_offset",
            model.seen_score_offset(), "in [0, 1]");
  for (const std::string& t : model.templates()) {
    c.Require(t.find("{}") != std::string::npos, "model.templates", "'" + t + "'", "each template contains {}");
  }
}

void CheckData(const DataConfig& data, int patch, Checker& c) {
  c.Require(data.crop_size() > 0 && data.crop_size() % patch == 0, "data.crop_size", data.crop_size(),
            absl::StrCat("a positive multiple of model.clip.patch_size (", patch, ")"));
  c.Require(data.scale_short() > 0 && data.scale_long() >= data.scale_short(), "data.scale_long", data.scale_long(),
            ">= data.scale_short > 0");
  c.Require(data.ratio_min() > 0 && data.ratio_min() <= data.ratio_max(), "data.ratio_min", data.ratio_min(),
            "in (0, data.ratio_max]");
  c.Require(data.cat_max_ratio() > 0 && data.cat_max_ratio() <= 1, "data.cat_max_ratio", data.cat_max_ratio(),
            "in (0, 1]");
  c.Require(data.flip_prob() >= 0 && data.flip_prob() <= 1, "data.flip_prob", data.flip_prob(), "in [0, 1]");
  c.Require(data.batch_size_per_rank() > 0, "data.batch_size_per_rank", data.batch_size_per_rank(), "> 0");
  c.Require(data.num_workers() >= 0, "data.num_workers", data.num_workers(), ">= 0");
  c.Require(data.prefetch_batches() > 0, "data.prefetch_batches", data.prefetch_batches(), "> 0");
  const SyntheticWorldConfig& w = data.synthetic();
  c.Require(w.image_size() > 0 && w.image_size() % patch == 0, "data.synthetic.image_size", w.image_size(),
            absl::StrCat("a positive multiple of model.clip.patch_size (", patch, ")"));
  c.Require(w.min_objects() > 0 && w.min_objects() <= w.max_objects(), "data.synthetic.min_objects",
            w.min_objects(), "in [1, data.synthetic.max_objects]");
  c.Require(w.min_object_size() > 0 && w.min_object_size() <= w.max_object_size() &&
                w.max_object_size() <= w.image_size(),
            "data.synthetic.min_object_size", w.min_object_size(),
            "0 < min_object_size <= max_object_size <= image_size");
}

void CheckTrain(const TrainConfig& t, Checker& c) {
  c.Require(t.max_iters() > 0, "train.max_iters", t.max_iters(), "> 0");
  c.Require(t.lr() > 0, "train.lr", t.lr(), "> 0");
  c.Require(t.weight_decay() >= 0, "train.weight_decay", t.weight_decay(), ">= 0");
  c.Require(t.head_lr_mult() >= 0, "train.head_lr_mult", t.head_lr_mult(), ">= 0");
  c.Require(t.min_lr() >= 0 && t.min_lr() <= t.lr(), "train.min_lr", t.min_lr(), "in [0, train.lr]");
  c.Require(t.warmup_iters() >= 0, "train.warmup_iters", t.warmup_iters(), ">= 0");
  c.Require(t.warmup_ratio() > 0 && t.warmup_ratio() <= 1, "train.warmup_ratio", t.warmup_ratio(), "in (0, 1]");
  c.Require(t.poly_power() > 0, "train.poly_power", t.poly_power(), "> 0");
  c.Require(t.grad_clip_norm() >= 0, "train.grad_clip_norm", t.grad_clip_norm(), ">= 0 (0 = off)");
  c.Require(t.log_interval() > 0, "train.log_interval", t.log_interval(), "> 0");
  c.Require(t.checkpoint_interval() > 0, "train.checkpoint_interval", t.checkpoint_interval(), "> 0");
  c.Require(t.eval_interval() > 0, "train.eval_interval", t.eval_interval(), "> 0");
  c.Require(t.threads() >= 0, "train.threads", t.threads(), ">= 0 (0 = all cores)");
  c.Require(t.keep_checkpoints() >= 1, "train.keep_checkpoints", t.keep_checkpoints(), ">= 1");
}

// The seen-score calibration split needs candidates, must be held out from the validation split, and only means
// something where the offset is applied (the inductive setting).
void CheckCalibration(const Experiment& experiment, Checker& c) {
  const EvalConfig& e = experiment.eval();
  const DataConfig& data = experiment.data();
  c.Require(e.calibration_images() >= 0, "eval.calibration_images", e.calibration_images(), ">= 0 (0 = all)");
  if (e.calibration_split().empty()) return;
  const std::string split = absl::StrCat("eval.calibration_split: '", e.calibration_split(), "' ");
  if (e.offset_candidates().empty()) {
    c.Fail(split + "is set but eval.offset_candidates is empty (list the seen-score offsets to choose from)");
  }
  // The synthetic world without a root renders its validation images as the stream "val", whatever val_split says.
  const bool rendered = data.dataset() == SYNTHETIC && data.root().empty();
  if (e.calibration_split() == data.val_split() || (rendered && e.calibration_split() == "val")) {
    c.Fail(split + "is the validation split (data.val_split); the offset must be chosen on a held-out split");
  }
  if (experiment.model().setting() != INDUCTIVE) {
    c.Fail(split + "is set but model.setting is " + Setting_Name(experiment.model().setting()) +
           "; the seen-score offset is applied in the INDUCTIVE setting only");
  }
}

void CheckEval(const EvalConfig& e, int patch, Checker& c) {
  c.Require(e.crop() > 0 && e.crop() % patch == 0, "eval.crop", e.crop(),
            absl::StrCat("a positive multiple of model.clip.patch_size (", patch, ")"));
  c.Require(e.stride() > 0 && e.stride() <= e.crop(), "eval.stride", e.stride(), "in (0, eval.crop]");
  c.Require(e.test_short_side() > 0 && e.test_long_side_max() >= e.test_short_side(), "eval.test_short_side",
            e.test_short_side(), "in (0, eval.test_long_side_max]");
  c.Require(e.test_min_size() >= 0, "eval.test_min_size", e.test_min_size(), ">= 0 (0 = no minimum)");
  c.Require(e.max_images() >= 0, "eval.max_images", e.max_images(), ">= 0 (0 = all)");
  c.Require(e.batch_size() > 0, "eval.batch_size", e.batch_size(), "> 0");
  for (float offset : e.offset_candidates()) {
    c.Require(offset >= 0 && offset <= 1, "eval.offset_candidates", offset, "each in [0, 1]");
  }
}

void CheckPretrain(const ClipPretrainConfig& p, int patch, Checker& c) {
  c.Require(p.max_iters() > 0, "pretrain.max_iters", p.max_iters(), "> 0");
  c.Require(p.batch_size() > 1, "pretrain.batch_size", p.batch_size(), "> 1: a contrastive batch needs negatives");
  c.Require(p.lr() > 0, "pretrain.lr", p.lr(), "> 0");
  c.Require(p.weight_decay() >= 0, "pretrain.weight_decay", p.weight_decay(), ">= 0");
  c.Require(p.warmup_iters() >= 0, "pretrain.warmup_iters", p.warmup_iters(), ">= 0");
  c.Require(p.retrieval_images_per_class() > 0, "pretrain.retrieval_images_per_class",
            p.retrieval_images_per_class(), "> 0");
  c.Require(p.log_interval() > 0, "pretrain.log_interval", p.log_interval(), "> 0");
  c.Require(p.image_size() >= 0 && p.image_size() % patch == 0, "pretrain.image_size", p.image_size(),
            absl::StrCat("0 (data.synthetic.image_size) or a positive multiple of model.clip.patch_size (", patch, ")"));
  c.Require(p.min_object_size() >= 0, "pretrain.min_object_size", p.min_object_size(), ">= 0 (0: data.synthetic's)");
  c.Require(p.max_object_size() >= 0, "pretrain.max_object_size", p.max_object_size(), ">= 0 (0: data.synthetic's)");
  c.Require(p.varied_caption_fraction() >= 0 && p.varied_caption_fraction() <= 1, "pretrain.varied_caption_fraction",
            p.varied_caption_fraction(), "in [0, 1]");
  c.Require(p.max_objects() >= 0, "pretrain.max_objects", p.max_objects(), ">= 0 (0: data.synthetic's)");
}

}  // namespace

absl::Status ValidateExperiment(const Experiment& experiment) {
  Checker c;
  CheckModel(experiment.model(), c);
  const int patch = std::max(1, experiment.model().clip().patch_size());
  CheckData(experiment.data(), patch, c);
  CheckTrain(experiment.train(), c);
  CheckEval(experiment.eval(), patch, c);
  CheckCalibration(experiment, c);
  CheckPretrain(experiment.pretrain(), patch, c);
  const DistributedConfig& d = experiment.distributed();
  c.Require(d.first_bucket_mib() > 0 && d.bucket_mib() > 0, "distributed.bucket_mib", d.bucket_mib(),
            "> 0, and distributed.first_bucket_mib > 0");
  c.Require(d.timeout_seconds() > 0, "distributed.timeout_seconds", d.timeout_seconds(), "> 0");
  if (!c.status().ok()) return c.status();
  absl::StatusOr<ClassSplit> split = ResolveClassSplit(experiment.data());
  if (!split.ok()) return split.status();
  if (split->seen.empty()) c.Fail("data.unseen_classes: every class is unseen; at least one class must be seen");
  if (experiment.model().setting() != FULLY_SUPERVISED && split->unseen.empty()) {
    c.Fail("data.unseen_classes: empty, but model.setting is zero-shot (use FULLY_SUPERVISED or name unseen classes)");
  }
  return c.status();
}

}  // namespace zegclip::config
