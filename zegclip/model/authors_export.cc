// The export half of authors_checkpoint.h: our ZegClipSegmentor as the authors' state_dict.
#include <torch/autograd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/clip/positional_embedding.h"
#include "zegclip/model/authors_checkpoint.h"

namespace zegclip::model {
namespace {

// Their TPN_DecoderLayer is built with dim_feedforward = d_model * 4, whatever the config says.
constexpr int64_t kAuthorsFfnRatio = 4;

absl::Status CheckRepresentable(const SegmentorOptions& o, const AuthorsExportOptions& e) {
  if (o.decoder.ffn_ratio != kAuthorsFfnRatio) {
    return absl::InvalidArgumentError(absl::StrCat("model.decoder.ffn_ratio ", o.decoder.ffn_ratio,
                                                   ": the authors' TPN_DecoderLayer has a fixed FFN ratio of ",
                                                   kAuthorsFfnRatio, ", so their code cannot hold this decoder"));
  }
  if (e.input_resolution < 0 || e.input_resolution % o.clip.patch_size != 0) {
    return absl::InvalidArgumentError(absl::StrCat("input resolution ", e.input_resolution,
                                                   " is not a multiple of the patch size ", o.clip.patch_size));
  }
  if (e.loss_classes < 1) {
    return absl::InvalidArgumentError(absl::StrCat("loss classes ", e.loss_classes, " (their loss config's "
                                                   "num_classes) must be positive"));
  }
  return absl::OkStatus();
}

// Every parameter under their name (detached CPU copies, so the edits below never touch the model).
absl::StatusOr<base::TensorMap> RenamedParameters(const ZegClipSegmentorImpl& model) {
  base::TensorMap out;
  std::vector<std::string> unknown;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    const std::optional<std::string> key = AuthorsKeyForOurName(item.key());
    if (!key) {
      unknown.push_back(item.key());
    } else if (!key->empty()) {
      out[*key] = item.value().detach().to(at::kCPU).contiguous().clone();
    }
  }
  if (!unknown.empty()) {
    return absl::InternalError(absl::StrCat("no rule of authors_key_rules.h names these parameters in the authors' "
                                            "layout: ", absl::StrJoin(unknown, ", ")));
  }
  return out;
}

// Their positional embedding at their input grid, with the CLS row compensated for a once-model (see the header).
void ConvertPositionalEmbedding(const SegmentorOptions& o, const AuthorsExportOptions& e, base::TensorMap& state) {
  at::Tensor& pos = state.at("backbone.positional_embedding");
  if (e.input_resolution > 0) {
    const int64_t grid = e.input_resolution / o.clip.patch_size;
    // The very function our forward resizes with, so at this input size both sides see the same table.
    pos = clip::ResizePositionalEmbedding(pos, grid, grid).contiguous().clone();
  }
  if (!o.clip.class_embedding_twice) {
    // Theirs: CLS token c, CLS positional row pos[0] + c. Writing pos[0] - c makes it c + pos[0], as ours.
    pos[0] -= state.at("backbone.class_embedding");
  }
}

// q_proj([g ⊙ t, t]) = t: the relationship descriptor their head always applies, turned into the text queries.
void AddTextQueryProjection(const SegmentorOptions& o, at::ScalarType dtype, base::TensorMap& state) {
  const int64_t d = o.clip.embed_dim;
  state["decode_head.q_proj.weight"] = at::cat({at::zeros({d, d}, dtype), at::eye(d, dtype)}, /*dim=*/1);
  state["decode_head.q_proj.bias"] = at::zeros({d}, dtype);
}

}  // namespace

absl::StatusOr<base::TensorMap> AuthorsStateDict(const ZegClipSegmentorImpl& model,
                                                 const AuthorsExportOptions& options) {
  const SegmentorOptions& o = model.options();
  absl::Status representable = CheckRepresentable(o, options);
  if (!representable.ok()) return representable;
  absl::StatusOr<base::TensorMap> state = RenamedParameters(model);
  if (!state.ok()) return state.status();
  torch::NoGradGuard no_grad;
  const at::ScalarType dtype = state->at("backbone.class_embedding").scalar_type();
  ConvertPositionalEmbedding(o, options, *state);
  if (!o.relationship_descriptor) AddTextQueryProjection(o, dtype, *state);
  const bool shallow = o.prompt.mode == clip::EncoderMode::kShallowPrompt;
  for (auto& [key, tensor] : AuthorsOnlyTensors(o.decoder.layers, o.decoder.width, options.loss_classes,
                                                shallow ? o.clip.vision_width : 0)) {
    (*state)[key] = tensor.to(dtype);
  }
  return state;
}

std::string AuthorsConfigSnippet(const SegmentorOptions& o, const AuthorsExportOptions& e) {
  const clip::ClipOptions& c = o.clip;
  const int64_t resolution = e.input_resolution > 0 ? e.input_resolution : c.image_resolution;
  std::string backbone;
  if (clip::UsesPrompts(o.prompt.mode)) {
    const int64_t depth = o.prompt.mode == clip::EncoderMode::kDeepPrompt ? o.prompt.depth : 0;
    backbone = absl::StrCat("type='VPTCLIPVisionTransformer', num_tokens=", o.prompt.tokens, ", prompt_dim=",
                            c.vision_width, ", total_d_layer=", depth, ", ");
  } else {
    backbone = "type='CLIPVisionTransformer', ";
  }
  absl::StrAppend(&backbone, "patch_size=", c.patch_size, ", width=", c.vision_width, ", layers=", c.vision_layers,
                  ", heads=", c.vision_heads, ", output_dim=", c.embed_dim, ", input_resolution=", resolution,
                  ", out_indices=[", c.vision_layers - 1, "], get_embeddings=True");
  return absl::StrCat(
      "model = dict(\n    context_length=", c.context_length, ",\n    backbone=dict(", backbone,
      "),\n    text_encoder=dict(type='CLIPTextEncoder', context_length=", c.context_length, ", vocab_size=",
      c.vocab_size, ", embed_dim=", c.embed_dim, ", transformer_width=", c.text_width, ", transformer_heads=",
      c.text_heads, ", transformer_layers=", c.text_layers, "),\n    decode_head=dict(type='ATMSingleHeadSeg', img_size=",
      resolution, ", in_channels=", c.embed_dim, ", channels=", c.embed_dim, ", embed_dims=", o.decoder.width,
      ", num_layers=", o.decoder.layers, ", num_heads=", o.decoder.heads, ", use_proj=",
      o.decoder.input_projection ? "True" : "False", ", num_classes=", e.loss_classes,
      ",\n        loss_decode=dict(type='SegLossPlus', num_classes=", e.loss_classes, ", dec_layers=",
      o.decoder.layers, ")))\n");
}

absl::Status WriteAuthorsCheckpoint(const base::TensorMap& state_dict, const std::vector<std::string>& classes,
                                    const std::map<std::string, std::string>& meta, const std::string& path) {
  c10::Dict<std::string, at::Tensor> tensors;
  for (const auto& [key, tensor] : state_dict) tensors.insert(key, tensor.detach().to(at::kCPU).contiguous());
  c10::impl::GenericDict meta_dict(c10::StringType::get(), c10::AnyType::get());
  meta_dict.insert("CLASSES", c10::IValue(c10::List<std::string>(classes)));
  for (const auto& [key, value] : meta) meta_dict.insert(key, c10::IValue(value));
  c10::impl::GenericDict checkpoint(c10::StringType::get(), c10::AnyType::get());
  checkpoint.insert("state_dict", c10::IValue(tensors));
  checkpoint.insert("meta", c10::IValue(meta_dict));
  return base::WritePickledFile(c10::IValue(checkpoint), path);
}

}  // namespace zegclip::model
