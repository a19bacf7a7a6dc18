#include "zegclip/config/config_validation.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/class_catalog.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
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
  // An upper bound on a size: larger values would allocate more memory than any machine has (an image side, a
  // batch, a count of images), so they are refused here with the field named, not found as a crash mid-run.
  void AtMost(int64_t value, int64_t limit, const std::string& field) {
    Require(value <= limit, field, value, absl::StrCat("at most ", limit));
  }
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

// Every float of the experiment (repeated ones too) is a finite number: "inf" and "nan" parse as floats, and a
// comparison such as lr > 0 lets inf through.
void CheckFinite(const google::protobuf::Message& message, const std::string& prefix, Checker& c) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* reflection = message.GetReflection();
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string name = prefix + field->name();
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(message, field); ++k) {
          CheckFinite(reflection->GetRepeatedMessage(message, field, k), name + ".", c);
        }
      } else if (reflection->HasField(message, field)) {
        CheckFinite(reflection->GetMessage(message, field), name + ".", c);
      }
      continue;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_FLOAT && field->cpp_type() != FieldDescriptor::CPPTYPE_DOUBLE) {
      continue;
    }
    const bool is_float = field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT;
    const int count = field->is_repeated() ? reflection->FieldSize(message, field) : 1;
    for (int k = 0; k < count; ++k) {
      const double value = field->is_repeated()
                               ? (is_float ? reflection->GetRepeatedFloat(message, field, k)
                                           : reflection->GetRepeatedDouble(message, field, k))
                               : (is_float ? reflection->GetFloat(message, field) : reflection->GetDouble(message, field));
      c.Require(std::isfinite(value), name, value, "a finite number");
    }
  }
}

// Architecture sizes: OpenAI's ViT-L/14@336 is well inside every bound.
void CheckClipSizes(const ClipConfig& clip, Checker& c) {
  c.Require(clip.pretrain_image_size() > 0 && clip.pretrain_image_size() % std::max(1, clip.patch_size()) == 0,
            "model.clip.pretrain_image_size", clip.pretrain_image_size(),
            "a positive multiple of model.clip.patch_size");
  c.Require(clip.vision_width() > 0, "model.clip.vision_width", clip.vision_width(), "> 0");
  c.Require(clip.text_width() > 0, "model.clip.text_width", clip.text_width(), "> 0");
  c.Require(clip.embed_dim() > 0, "model.clip.embed_dim", clip.embed_dim(), "> 0");
  c.Require(clip.vocab_size() > 0, "model.clip.vocab_size", clip.vocab_size(), "> 0");
  c.AtMost(clip.pretrain_image_size(), 4096, "model.clip.pretrain_image_size");
  c.AtMost(clip.patch_size(), 1024, "model.clip.patch_size");
  c.AtMost(clip.vision_width(), 8192, "model.clip.vision_width");
  c.AtMost(clip.text_width(), 8192, "model.clip.text_width");
  c.AtMost(clip.embed_dim(), 8192, "model.clip.embed_dim");
  c.AtMost(clip.vision_layers(), 256, "model.clip.vision_layers");
  c.AtMost(clip.text_layers(), 256, "model.clip.text_layers");
  c.Require(clip.context_length() <= 1024, "model.clip.context_length", clip.context_length(),
            "at most 1024; OpenAI's CLIP: 77");
  c.AtMost(clip.vocab_size(), 1 << 20, "model.clip.vocab_size");
}

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
  CheckClipSizes(clip, c);
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
  c.AtMost(model.prompt_tokens(), 1024, "model.prompt_tokens");
  c.AtMost(d.layers(), 64, "model.decoder.layers");
  c.AtMost(d.ffn_ratio(), 64, "model.decoder.ffn_ratio");
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

// Every name is a synthetic-world composition ("<colour> <pattern>" of class_catalog.h's 8 x 8), none twice.
void CheckCompositions(const google::protobuf::RepeatedPtrField<std::string>& names, const std::string& field,
                       Checker& c) {
  std::vector<int64_t> ids;
  for (const std::string& name : names) {
    const int64_t id = data::FindSyntheticComposition(name);
    if (id < 0) {
      c.Fail(absl::StrCat(field, ": '", name, "' is not a synthetic-world class (\"<colour> <pattern>\", colours: ",
                          absl::StrJoin(data::SyntheticAllColours(), ", "), "; patterns: ",
                          absl::StrJoin(data::SyntheticAllPatterns(), ", "), ")"));
      return;
    }
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
      c.Fail(absl::StrCat(field, ": class '", name, "' is listed twice"));
      return;
    }
    ids.push_back(id);
  }
}

// A distractor is ignored wherever it is drawn, so a class's composition there would be labelled both ways. Runs
// after CheckCompositions, so every name is known.
void CheckDistractorsUnpainted(const DataConfig& data, Checker& c) {
  // Empty data.classes: the base world, whose labels are the compositions below colours x patterns.
  const int64_t base = static_cast<int64_t>(data::SyntheticColours().size() * data::SyntheticPatterns().size());
  for (const std::string& name : data.synthetic().distractors()) {
    const bool is_class = data.classes().empty()
                              ? data::FindSyntheticComposition(name) < base
                              : std::find(data.classes().begin(), data.classes().end(), name) != data.classes().end();
    if (is_class) {
      c.Fail(absl::StrCat("data.synthetic.distractors: '", name, "' is a class of this world (",
                          data.classes().empty() ? absl::StrCat("the base ", base) : "data.classes",
                          "); a distractor must be a composition no class paints"));
      return;
    }
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
  c.AtMost(data.crop_size(), 4096, "data.crop_size");
  c.AtMost(data.scale_long(), 16384, "data.scale_long");
  c.Require(data.ratio_max() <= 8, "data.ratio_max", data.ratio_max(), "at most 8");
  c.AtMost(data.batch_size_per_rank(), 1024, "data.batch_size_per_rank");
  c.AtMost(data.num_workers(), 256, "data.num_workers");
  c.AtMost(data.prefetch_batches(), 1024, "data.prefetch_batches");
  const SyntheticWorldConfig& w = data.synthetic();
  c.Require(w.image_size() > 0 && w.image_size() % patch == 0, "data.synthetic.image_size", w.image_size(),
            absl::StrCat("a positive multiple of model.clip.patch_size (", patch, ")"));
  c.AtMost(w.image_size(), 2048, "data.synthetic.image_size");
  for (const auto& [field, images] : {std::make_pair("data.synthetic.train_images", w.train_images()),
                                      std::make_pair("data.synthetic.val_images", w.val_images())}) {
    c.Require(images >= 1 && images <= 1000000, field, images, "in [1, 1000000]");
  }
  c.AtMost(w.max_objects(), 64, "data.synthetic.max_objects");
  c.Require(w.min_objects() > 0 && w.min_objects() <= w.max_objects(), "data.synthetic.min_objects",
            w.min_objects(), "in [1, data.synthetic.max_objects]");
  c.Require(w.min_object_size() > 0 && w.min_object_size() <= w.max_object_size() &&
                w.max_object_size() <= w.image_size(),
            "data.synthetic.min_object_size", w.min_object_size(),
            "0 < min_object_size <= max_object_size <= image_size");
  c.Require(w.min_distractors() >= 0 && w.min_distractors() <= w.max_distractors(), "data.synthetic.min_distractors",
            w.min_distractors(), "in [0, data.synthetic.max_distractors]");
  c.AtMost(w.max_distractors(), 64, "data.synthetic.max_distractors");
  if (data.dataset() != SYNTHETIC) return;
  CheckCompositions(data.classes(), "data.classes", c);
  CheckCompositions(w.distractors(), "data.synthetic.distractors", c);
  CheckDistractorsUnpainted(data, c);
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
  c.AtMost(t.threads(), 1024, "train.threads");
}

// Self-training labels unseen pixels with the model's own predictions: from a random decoder they are noise, so the
// transductive setting starts from a trained (inductive) checkpoint.
void CheckSetting(const Experiment& experiment, Checker& c) {
  if (experiment.model().setting() == TRANSDUCTIVE && experiment.train().init_checkpoint().empty()) {
    c.Fail("train.init_checkpoint: empty, but model.setting is TRANSDUCTIVE, which self-trains from a trained model "
           "(give the inductive run's checkpoint, e.g. --set=train.init_checkpoint=runs/voc_inductive/"
           "iter_20000.ckpt)");
  }
}

// The seen-score calibration split needs candidates, must be held out from the validation split, and only means
// something where the offset is applied (the inductive setting).
void CheckCalibration(const Experiment& experiment, Checker& c) {
  const EvalConfig& e = experiment.eval();
  const DataConfig& data = experiment.data();
  c.Require(e.calibration_images() >= 0, "eval.calibration_images", e.calibration_images(), ">= 0 (0 = all)");
  c.AtMost(e.calibration_images(), 1000000, "eval.calibration_images");
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
  c.AtMost(e.crop(), 4096, "eval.crop");
  c.AtMost(e.test_long_side_max(), 16384, "eval.test_long_side_max");
  c.AtMost(e.test_min_size(), 8192, "eval.test_min_size");
  c.AtMost(e.batch_size(), 1024, "eval.batch_size");
  c.AtMost(e.offset_candidates_size(), 1000, "eval.offset_candidates (entries)");
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
  // A contrastive step holds a batch x batch similarity matrix.
  c.AtMost(p.batch_size(), 16384, "pretrain.batch_size");
  c.AtMost(p.retrieval_images_per_class(), 10000, "pretrain.retrieval_images_per_class");
  c.AtMost(p.image_size(), 2048, "pretrain.image_size");
  c.AtMost(p.max_objects(), 64, "pretrain.max_objects");
  CheckCompositions(p.classes(), "pretrain.classes", c);
}

void CheckReport(const ReportConfig& r, Checker& c) {
  // Each example is kept in memory (image, truth, prediction) and drawn as one row of a figure.
  c.Require(r.example_images() >= 0 && r.example_images() <= 64, "report.example_images", r.example_images(),
            "in [0, 64]");
}

}  // namespace

absl::Status ValidateExperiment(const Experiment& experiment) {
  Checker c;
  CheckFinite(experiment, "", c);
  CheckModel(experiment.model(), c);
  const int patch = std::max(1, experiment.model().clip().patch_size());
  CheckData(experiment.data(), patch, c);
  CheckTrain(experiment.train(), c);
  CheckEval(experiment.eval(), patch, c);
  CheckCalibration(experiment, c);
  CheckPretrain(experiment.pretrain(), patch, c);
  CheckReport(experiment.report(), c);
  CheckSetting(experiment, c);
  const DistributedConfig& d = experiment.distributed();
  c.Require(d.first_bucket_mib() > 0 && d.bucket_mib() > 0, "distributed.bucket_mib", d.bucket_mib(),
            "> 0, and distributed.first_bucket_mib > 0");
  c.AtMost(d.bucket_mib(), 4096, "distributed.bucket_mib");
  c.AtMost(d.first_bucket_mib(), 4096, "distributed.first_bucket_mib");
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
