#include "zegclip/model/authors_checkpoint.h"

#include <torch/autograd.h>

#include <cmath>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace zegclip::model {
namespace {

std::string Shape(const at::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

// Distinct N of "<prefix>N.*" keys.
int64_t CountIndexed(const base::TensorMap& state, const std::string& prefix) {
  std::set<int64_t> seen;
  for (const auto& [key, unused] : state) {
    if (!absl::StartsWith(key, prefix)) continue;
    const std::string rest = key.substr(prefix.size());
    int64_t n = 0;
    if (absl::SimpleAtoi(rest.substr(0, rest.find('.')), &n)) seen.insert(n);
  }
  return static_cast<int64_t>(seen.size());
}

absl::StatusOr<at::Tensor> Require(const base::TensorMap& state, const std::string& key, int64_t dims) {
  auto it = state.find(key);
  if (it == state.end()) {
    return absl::InvalidArgumentError(absl::StrCat("the authors' checkpoint has no '", key, "'"));
  }
  if (it->second.dim() != dims) {
    return absl::InvalidArgumentError(
        absl::StrCat("the authors' checkpoint's '", key, "' has shape ", Shape(it->second), ", expected ", dims,
                     " dimensions"));
  }
  return it->second;
}

int64_t HeadsFor(int64_t width, int64_t preferred) {
  return preferred > 0 && width % preferred == 0 ? preferred : std::max<int64_t>(1, width / 64);
}

absl::Status InferClip(const base::TensorMap& state, SegmentorOptions* o) {
  absl::StatusOr<at::Tensor> conv1 = Require(state, "backbone.conv1.weight", 4);
  absl::StatusOr<at::Tensor> position = Require(state, "backbone.positional_embedding", 2);
  absl::StatusOr<at::Tensor> proj = Require(state, "backbone.proj", 2);
  absl::StatusOr<at::Tensor> tokens = Require(state, "text_encoder.token_embedding.weight", 2);
  absl::StatusOr<at::Tensor> text_position = Require(state, "text_encoder.positional_embedding", 2);
  for (const auto* s : {&conv1, &position, &proj, &tokens, &text_position}) {
    if (!s->ok()) return s->status();
  }
  clip::ClipOptions& c = o->clip;
  c.vision_width = conv1->size(0);
  c.patch_size = conv1->size(2);
  c.vision_layers = CountIndexed(state, "backbone.transformer.resblocks.");
  const int64_t rows = position->size(0);
  const int64_t grid = rows >= 2 ? std::llround(std::sqrt(static_cast<double>(rows - 1))) : 0;
  if (grid < 1 || grid * grid + 1 != rows) {
    return absl::InvalidArgumentError(absl::StrCat("the authors' checkpoint's backbone.positional_embedding has ",
                                                   position->size(0), " rows, not a square grid + 1"));
  }
  c.image_resolution = grid * c.patch_size;
  c.embed_dim = proj->size(1);
  c.vision_heads = HeadsFor(c.vision_width, c.vision_heads);
  c.vocab_size = tokens->size(0);
  c.text_width = tokens->size(1);
  c.context_length = text_position->size(0);
  c.text_layers = CountIndexed(state, "text_encoder.transformer.resblocks.");
  c.text_heads = HeadsFor(c.text_width, c.text_heads);
  c.class_embedding_twice = true;  // their backbone's CLS quirk, which their weights were trained with
  return absl::OkStatus();
}

absl::Status InferPrompts(const base::TensorMap& state, SegmentorOptions* o) {
  if (state.count("backbone.prompt_embeddings") == 0) {
    if (clip::UsesPrompts(o->prompt.mode)) o->prompt.mode = clip::EncoderMode::kFrozen;
    return absl::OkStatus();
  }
  // Their VPT: prompt_embeddings (1, tokens, width), deep_prompt_embeddings (depth, tokens, width).
  absl::StatusOr<at::Tensor> shallow = Require(state, "backbone.prompt_embeddings", 3);
  if (!shallow.ok()) return shallow.status();
  o->prompt.tokens = shallow->size(1);
  o->prompt.mode = clip::EncoderMode::kShallowPrompt;
  if (state.count("backbone.deep_prompt_embeddings") > 0) {
    absl::StatusOr<at::Tensor> deep = Require(state, "backbone.deep_prompt_embeddings", 3);
    if (!deep.ok()) return deep.status();
    o->prompt.mode = clip::EncoderMode::kDeepPrompt;
    o->prompt.depth = deep->size(0);
  }
  return absl::OkStatus();
}

// Every size read off the shapes must be usable: a zero-width tensor or a layer count of 0 would build a model that
// divides by zero or cannot run (found by authors_checkpoint_fuzzer).
absl::Status CheckInferredSizes(const SegmentorOptions& o) {
  const clip::ClipOptions& c = o.clip;
  const std::pair<const char*, int64_t> sizes[] = {
      {"vision width (backbone.conv1.weight dim 0)", c.vision_width},
      {"patch size (backbone.conv1.weight dim 2)", c.patch_size},
      {"vision layers (backbone.transformer.resblocks.N)", c.vision_layers},
      {"embedding size (backbone.proj dim 1)", c.embed_dim},
      {"vocabulary (text_encoder.token_embedding.weight dim 0)", c.vocab_size},
      {"text width (text_encoder.token_embedding.weight dim 1)", c.text_width},
      {"context length (text_encoder.positional_embedding dim 0)", c.context_length},
      {"text layers (text_encoder.transformer.resblocks.N)", c.text_layers},
      {"decoder layers", o.decoder.layers},
      {"decoder width (linear1.weight dim 1)", o.decoder.width},
      {"decoder FFN ratio (linear1.weight rows / width)", o.decoder.ffn_ratio},
  };
  for (const auto& [what, value] : sizes) {
    if (value < 1) {
      return absl::InvalidArgumentError(absl::StrCat("the authors' checkpoint gives a ", what, " of ", value,
                                                     "; expected at least 1"));
    }
  }
  if (o.decoder.width != c.embed_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the authors' checkpoint's decoder width ", o.decoder.width, " (linear1.weight dim 1) differs from its CLIP "
        "embedding size ", c.embed_dim, " (backbone.proj dim 1); their head reads the CLIP embeddings directly"));
  }
  for (int64_t layer : c.intermediate_layers) {
    if (layer >= c.vision_layers) {
      return absl::InvalidArgumentError(absl::StrCat("the configured intermediate layer ", layer,
                                                     " does not exist in the authors' checkpoint's ",
                                                     c.vision_layers, "-layer backbone"));
    }
  }
  if (clip::UsesPrompts(o.prompt.mode) && o.prompt.tokens < 1) {
    return absl::InvalidArgumentError("the authors' checkpoint's backbone.prompt_embeddings holds 0 prompt tokens");
  }
  // Deep prompts enter every layer after the first (their total_d_layer = layers - 1).
  if (o.prompt.mode == clip::EncoderMode::kDeepPrompt && (o.prompt.depth < 1 || o.prompt.depth > c.vision_layers - 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the authors' checkpoint's backbone.deep_prompt_embeddings has ", o.prompt.depth,
        " layers of prompts; expected 1 to ", c.vision_layers - 1, " (the backbone's layers after the first)"));
  }
  return absl::OkStatus();
}

absl::Status InferHead(const base::TensorMap& state, SegmentorOptions* o) {
  const std::string first = std::string(kAuthorsDecoderLayers) + "0.linear1.weight";
  absl::StatusOr<at::Tensor> linear1 = Require(state, first, 2);
  if (!linear1.ok()) return linear1.status();
  heads::TextQueryDecoderOptions& d = o->decoder;
  d.layers = CountIndexed(state, kAuthorsDecoderLayers);
  d.width = linear1->size(1);
  d.ffn_ratio = d.width > 0 ? linear1->size(0) / d.width : 0;
  d.input_projection = state.count("decode_head.input_proj_1.weight") > 0;
  if (d.width > 0 && d.width % d.heads != 0) {
    return absl::InvalidArgumentError(absl::StrCat("decoder width ", d.width, " (from the authors' checkpoint) is not "
                                                   "a multiple of the configured decoder heads ", d.heads));
  }
  o->relationship_descriptor = state.count("decode_head.q_proj.weight") > 0;
  return absl::OkStatus();
}

struct ImportProblems {
  std::vector<std::string> unmapped, absent, misshaped, unfilled;
  bool empty() const { return unmapped.empty() && absent.empty() && misshaped.empty() && unfilled.empty(); }
  std::string Describe() const {
    std::vector<std::string> parts;
    auto add = [&](const std::vector<std::string>& list, const char* what) {
      if (!list.empty()) parts.push_back(absl::StrCat(list.size(), " ", what, ": ", absl::StrJoin(list, ", ")));
    };
    add(unmapped, "unmapped key(s) (no rule knows them)");
    add(absent, "key(s) whose destination this model lacks");
    add(misshaped, "mis-shaped tensor(s) (checkpoint vs model)");
    add(unfilled, "model parameter(s) the checkpoint does not provide");
    return absl::StrJoin(parts, "; ");
  }
};

}  // namespace

absl::StatusOr<SegmentorOptions> SegmentorOptionsFromAuthors(const base::TensorMap& state,
                                                             const SegmentorOptions& defaults) {
  SegmentorOptions o = defaults;
  absl::Status s = InferClip(state, &o);
  if (s.ok()) s = InferHead(state, &o);
  if (s.ok()) s = InferPrompts(state, &o);
  if (s.ok()) s = CheckInferredSizes(o);
  if (!s.ok()) return s;
  return o;
}

absl::Status LoadAuthorsWeights(const base::TensorMap& state, ZegClipSegmentorImpl& model, const std::string& source) {
  const torch::OrderedDict<std::string, at::Tensor> params = model.named_parameters(/*recurse=*/true);
  const bool shallow_checkpoint = state.count("backbone.deep_prompt_embeddings") == 0;
  ImportProblems problems;
  std::map<std::string, at::Tensor> assignments;  // our name -> their tensor
  std::set<std::string> reported;                 // our names already named as mis-shaped
  for (const auto& [key, tensor] : state) {
    const std::optional<std::string> ours = OurNameForAuthorsKey(key);
    if (!ours) {
      problems.unmapped.push_back(key);
      continue;
    }
    if (ours->empty()) continue;
    const at::Tensor* target = params.find(*ours);
    // Their shallow mode builds prompt_norm but never applies it; ours does not build it.
    if (target == nullptr && shallow_checkpoint && absl::StartsWith(key, kAuthorsPromptNorm)) continue;
    if (target == nullptr) {
      problems.absent.push_back(absl::StrCat(key, " -> ", *ours));
    } else if (target->sizes() != tensor.sizes()) {
      problems.misshaped.push_back(absl::StrCat(key, " ", Shape(tensor), " vs ", *ours, " ", Shape(*target)));
      reported.insert(*ours);
    } else {
      assignments[*ours] = tensor;
    }
  }
  for (const auto& item : params) {
    if (item.key() != "clip.logit_scale" && assignments.count(item.key()) == 0 && reported.count(item.key()) == 0) {
      problems.unfilled.push_back(item.key());
    }
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": cannot import the authors' ZegCLIP checkpoint: ", problems.Describe(),
        " (SegmentorOptionsFromAuthors builds the architecture the checkpoint holds)"));
  }
  std::vector<std::string> non_finite;  // such weights score 0 everywhere without saying why
  for (const auto& [name, tensor] : assignments) {
    if (tensor.is_floating_point() && !at::isfinite(tensor).all().item<bool>()) non_finite.push_back(name);
  }
  if (!non_finite.empty()) {
    return absl::DataLossError(absl::StrCat(source, ": NaN or inf in ", non_finite.size(), " weight tensor(s) (",
                                            absl::StrJoin(non_finite, ", "), "): not a usable checkpoint"));
  }
  torch::NoGradGuard no_grad;
  for (const auto& item : params) {
    auto it = assignments.find(item.key());
    if (it == assignments.end()) continue;
    at::Tensor target = item.value();
    target.copy_(it->second.to(target.device(), target.scalar_type()));
  }
  return absl::OkStatus();
}

absl::Status LoadAuthorsCheckpoint(const std::string& path, ZegClipSegmentorImpl& model) {
  absl::StatusOr<base::TensorMap> state = base::ReadTensorArchive(path);
  if (!state.ok()) return state.status();
  return LoadAuthorsWeights(*state, model, path);
}

}  // namespace zegclip::model
