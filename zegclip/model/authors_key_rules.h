// The one table between the authors' ZegCLIP state_dict names (github.com/ZiqinZhou66/ZegCLIP) and ours, read in
// both directions: the import (authors_checkpoint.h, LoadAuthorsWeights) and the export (AuthorsStateDict) use the
// same rules, so the two cannot drift apart.
//
//   theirs                                          ours
//   backbone.X                                      clip.visual.X        (OpenAI names + the prompt parameters)
//   text_encoder.{transformer,token_embedding,ln_final}.X, .positional_embedding, .text_projection
//                                                   clip.(same)
//   decode_head.q_proj.{weight,bias}                rd.q_proj.*
//   decode_head.input_proj_1.* / proj_norm_1.*      decoder.input_proj.* / decoder.proj_norm.*   (their use_proj)
//   decode_head.decoder_1.layers.N.{multihead_attn.{q,k,v,proj},linear1,linear2,norm2,norm3}.*
//                                                   decoder.layers.N.(same)
//
// Theirs only (built by their modules, never used by their forward; the import skips them, the export fills them
// with AuthorsOnlyTensors' documented values so that their load_state_dict(strict=True) succeeds):
//   decode_head.decoder_1.layers.N.self_attn.* and norm1.*   nn.TransformerDecoderLayer's self-attention, which
//                                                            their TPN_DecoderLayer.forward never calls
//   decode_head.loss_decode.*                                the loss's buffers (SegLossPlus: criterion.empty_weight)
//   backbone.prompt_norm.* of a shallow-prompt model         built by VPTCLIPVisionTransformer, applied only in deep
//                                                            mode (ours builds it only in deep mode)
// Ours only: clip.logit_scale (their text encoder has none; segmentation never uses it).
//
// Example:
//   OurNameForAuthorsKey("decode_head.q_proj.weight")  == "rd.q_proj.weight"
//   AuthorsKeyForOurName("rd.q_proj.weight")           == "decode_head.q_proj.weight"
//   OurNameForAuthorsKey("decode_head.loss_decode.criterion.empty_weight") == ""   (theirs only)
//   AuthorsKeyForOurName("clip.logit_scale")           == ""                        (ours only)
#ifndef ZEGCLIP_MODEL_AUTHORS_KEY_RULES_H_
#define ZEGCLIP_MODEL_AUTHORS_KEY_RULES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "zegclip/base/tensor_archive.h"

namespace zegclip::model {

inline constexpr char kAuthorsDecoderLayers[] = "decode_head.decoder_1.layers.";
inline constexpr char kAuthorsPromptNorm[] = "backbone.prompt_norm.";
// SegLossPlus -> SegPlusCriterion's buffer: ones(num_classes + 1) with the last entry eos_coef = 0.1.
inline constexpr char kAuthorsEmptyWeight[] = "decode_head.loss_decode.criterion.empty_weight";
inline constexpr double kAuthorsEosCoef = 0.1;

// Our dotted parameter name for one of their keys; "" for a key of theirs only (see above; backbone.prompt_norm.*
// maps to ours, LoadAuthorsWeights skips it for a shallow checkpoint); nullopt for a key no rule knows.
std::optional<std::string> OurNameForAuthorsKey(const std::string& key);

// Their key for one of our parameter names; "" for a parameter of ours only (clip.logit_scale); nullopt for a name
// no rule knows.
std::optional<std::string> AuthorsKeyForOurName(const std::string& name);

// What their modules hold beyond our parameters, with deterministic values their forward never reads:
//   per decoder layer (0 <= N < decoder_layers, width w): self_attn.in_proj_weight (3w, w), in_proj_bias (3w),
//   out_proj.weight (w, w), out_proj.bias (w) all zero; norm1.weight (w) one, norm1.bias (w) zero (LayerNorm's
//   initial values); criterion.empty_weight (loss_classes + 1) as their SegPlusCriterion constructor makes it;
//   with shallow_prompt_width > 0, backbone.prompt_norm.{weight, bias} (1, 0; their eps=1e-6 LayerNorm's initial
//   values). Every key it returns maps to "" in OurNameForAuthorsKey except the shallow prompt_norm pair.
base::TensorMap AuthorsOnlyTensors(int64_t decoder_layers, int64_t decoder_width, int64_t loss_classes,
                             int64_t shallow_prompt_width);

}  // namespace zegclip::model

#endif  // ZEGCLIP_MODEL_AUTHORS_KEY_RULES_H_
