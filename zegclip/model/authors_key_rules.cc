#include "zegclip/model/authors_key_rules.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace zegclip::model {
namespace {

// What may follow a rule's prefix.
enum class Rest {
  kNothing,       // the prefix is the whole name
  kAnything,      // a whole subtree with the same names on both sides (OpenAI's towers)
  kWeightOrBias,  // one nn.Linear / nn.LayerNorm
  kDecoderLayer,  // "N.<one of kSharedLayerFields>..."
};

struct Rule {
  const char* theirs;
  const char* ours;
  Rest rest;
};

// Read top to bottom in both directions; no prefix of one side is a prefix of another rule's on the same side.
constexpr Rule kRules[] = {
    {"backbone.", "clip.visual.", Rest::kAnything},
    {"text_encoder.transformer.", "clip.transformer.", Rest::kAnything},
    {"text_encoder.token_embedding.", "clip.token_embedding.", Rest::kAnything},
    {"text_encoder.ln_final.", "clip.ln_final.", Rest::kAnything},
    {"text_encoder.positional_embedding", "clip.positional_embedding", Rest::kNothing},
    {"text_encoder.text_projection", "clip.text_projection", Rest::kNothing},
    {"decode_head.q_proj.", "rd.q_proj.", Rest::kWeightOrBias},
    {"decode_head.input_proj_1.", "decoder.input_proj.", Rest::kWeightOrBias},
    {"decode_head.proj_norm_1.", "decoder.proj_norm.", Rest::kWeightOrBias},
    {kAuthorsDecoderLayers, "decoder.layers.", Rest::kDecoderLayer},
};

// A decoder layer's modules both sides have (their TPN_DecoderLayer replaces multihead_attn by q/k/v/proj Linears).
constexpr const char* kSharedLayerFields[] = {"multihead_attn.q.", "multihead_attn.k.", "multihead_attn.v.",
                                              "multihead_attn.proj.", "linear1.", "linear2.", "norm2.", "norm3."};

// A decoder layer's tensors only theirs has, with the value the export writes. Shapes in units of the width w.
struct AuthorsOnlyLayerTensor {
  const char* field;
  int64_t rows;  // rows / w
  bool matrix;   // (rows·w, w) instead of (rows·w)
  float value;
};
constexpr AuthorsOnlyLayerTensor kAuthorsOnlyLayerTensors[] = {
    {"self_attn.in_proj_weight", 3, true, 0.f}, {"self_attn.in_proj_bias", 3, false, 0.f},
    {"self_attn.out_proj.weight", 1, true, 0.f}, {"self_attn.out_proj.bias", 1, false, 0.f},
    {"norm1.weight", 1, false, 1.f},             {"norm1.bias", 1, false, 0.f},
};

constexpr char kAuthorsLoss[] = "decode_head.loss_decode.";  // every loss module's buffers (they vary by config)
constexpr char kOursOnly[] = "clip.logit_scale";

// "2.linear1.weight" -> "linear1.weight"; nullopt unless it starts with a layer number.
std::optional<std::string> LayerField(const std::string& rest) {
  const size_t dot = rest.find('.');
  int64_t layer = 0;
  if (dot == std::string::npos || !absl::SimpleAtoi(rest.substr(0, dot), &layer) || layer < 0) return std::nullopt;
  return rest.substr(dot + 1);
}

bool RestAllowed(Rest kind, const std::string& rest) {
  switch (kind) {
    case Rest::kNothing: return rest.empty();
    case Rest::kAnything: return !rest.empty();
    case Rest::kWeightOrBias: return rest == "weight" || rest == "bias";
    case Rest::kDecoderLayer: {
      const std::optional<std::string> field = LayerField(rest);
      if (!field) return false;
      for (const char* shared : kSharedLayerFields) {
        if (absl::StartsWith(*field, shared) && field->size() > std::string(shared).size()) return true;
      }
      return false;
    }
  }
  return false;
}

// Applies the first rule whose `from` side matches.
std::optional<std::string> Translate(const std::string& name, bool from_theirs) {
  for (const Rule& rule : kRules) {
    const std::string from = from_theirs ? rule.theirs : rule.ours;
    const std::string to = from_theirs ? rule.ours : rule.theirs;
    if (!absl::StartsWith(name, from)) continue;
    const std::string rest = name.substr(from.size());
    if (!RestAllowed(rule.rest, rest)) return std::nullopt;
    return to + rest;
  }
  return std::nullopt;
}

bool IsAuthorsOnlyKey(const std::string& key) {
  if (absl::StartsWith(key, kAuthorsLoss)) return true;
  if (!absl::StartsWith(key, kAuthorsDecoderLayers)) return false;
  const std::optional<std::string> field = LayerField(key.substr(sizeof(kAuthorsDecoderLayers) - 1));
  if (!field) return false;
  for (const AuthorsOnlyLayerTensor& t : kAuthorsOnlyLayerTensors) {
    if (*field == t.field) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> OurNameForAuthorsKey(const std::string& key) {
  if (IsAuthorsOnlyKey(key)) return "";
  return Translate(key, /*from_theirs=*/true);
}

std::optional<std::string> AuthorsKeyForOurName(const std::string& name) {
  if (name == kOursOnly) return "";
  return Translate(name, /*from_theirs=*/false);
}

base::TensorMap AuthorsOnlyTensors(int64_t decoder_layers, int64_t decoder_width, int64_t loss_classes,
                             int64_t shallow_prompt_width) {
  base::TensorMap out;
  const int64_t w = decoder_width;
  for (int64_t n = 0; n < decoder_layers; ++n) {
    for (const AuthorsOnlyLayerTensor& t : kAuthorsOnlyLayerTensors) {
      const std::vector<int64_t> shape = t.matrix ? std::vector<int64_t>{t.rows * w, w} : std::vector<int64_t>{t.rows * w};
      out[absl::StrCat(kAuthorsDecoderLayers, n, ".", t.field)] = at::full(shape, t.value, at::kFloat);
    }
  }
  at::Tensor empty_weight = at::ones({loss_classes + 1}, at::kFloat);
  empty_weight[loss_classes] = kAuthorsEosCoef;
  out[kAuthorsEmptyWeight] = empty_weight;
  if (shallow_prompt_width > 0) {
    out[std::string(kAuthorsPromptNorm) + "weight"] = at::ones({shallow_prompt_width}, at::kFloat);
    out[std::string(kAuthorsPromptNorm) + "bias"] = at::zeros({shallow_prompt_width}, at::kFloat);
  }
  return out;
}

}  // namespace zegclip::model
