// Imports the authors' released ZegCLIP checkpoints (mmseg `.pth`, converted to a tensor archive by
// tools/convert_zegclip_checkpoint.py) into a ZegClipSegmentor: their state_dict names mapped onto ours.
//
//   backbone.X                                    -> clip.visual.X      (OpenAI names; their prompt parameters
//                                                                        prompt_embeddings, deep_prompt_embeddings,
//                                                                        prompt_proj.*, prompt_norm.* are ours too)
//   text_encoder.X                                -> clip.X             (transformer.*, token_embedding.weight,
//                                                                        positional_embedding, ln_final.*,
//                                                                        text_projection)
//   decode_head.q_proj.*                          -> rd.q_proj.*
//   decode_head.input_proj_1.* / proj_norm_1.*    -> decoder.input_proj.* / decoder.proj_norm.*   (their use_proj)
//   decode_head.decoder_1.layers.N.multihead_attn.{q,k,v,proj}.*, linear1.*, linear2.*, norm2.*, norm3.*
//                                                 -> decoder.layers.N.(same)
// Skipped on purpose: decode_head.decoder_1.layers.N.self_attn.* and norm1.* (nn.TransformerDecoderLayer's
// self-attention, which their forward never calls), decode_head.loss_decode.* (the loss's buffers), and
// backbone.prompt_norm.* of a shallow-prompt checkpoint (created but unused by their shallow forward).
// Not in their file: clip.logit_scale (their text encoder has none; segmentation never uses it) keeps its value.
// Everything else fails: the error names EVERY unmapped key, every key our model lacks, every mis-shaped tensor
// (both shapes) and every parameter of ours left without a value.
//
// Their backbone adds class_embedding to the CLS token twice and stores its positional embedding at the training
// resolution (512² -> 32² + 1 rows); SegmentorOptionsFromAuthors builds a model that matches both.
//
// Example:
//   absl::StatusOr<TensorMap> state = ReadTensorArchive("zegclip_voc.tensors");
//   absl::StatusOr<SegmentorOptions> options = SegmentorOptionsFromAuthors(*state, base_options);
//   ZegClipSegmentor model(*options);
//   absl::Status s = LoadAuthorsWeights(*state, *model, "zegclip_voc.tensors");
#ifndef ZEGCLIP_MODEL_AUTHORS_CHECKPOINT_H_
#define ZEGCLIP_MODEL_AUTHORS_CHECKPOINT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "zegclip/model/tensor_archive.h"
#include "zegclip/model/zegclip_segmentor.h"

namespace zegclip::model {

// Our dotted parameter name for one of their keys; "" for a key skipped on purpose (see above); nullopt for a key
// no rule knows.
std::optional<std::string> OurNameForAuthorsKey(const std::string& key);

// The architecture the checkpoint's shapes imply, on top of `base` (which supplies what shapes cannot tell: head
// counts, dropouts, the run-time switches): image tower (width, patch, layers, resolution from the positional
// embedding, embed_dim), text tower (vocab, width, context length, layers), prompts (tokens, deep depth; shallow when
// only prompt_embeddings exist; base's FROZEN/FINETUNE when none), decoder (layers, width, FFN ratio, input
// projection), the relationship descriptor (q_proj present), and class_embedding_twice = true. Vision and text head
// counts stay base's when they divide the width, else width / 64 as OpenAI's. Errors name the missing key.
absl::StatusOr<SegmentorOptions> SegmentorOptionsFromAuthors(const TensorMap& state, const SegmentorOptions& base);

// Copies their tensors into `model` (converted to the model's dtype and device). Nothing is copied unless every
// check passes; `source` (a file name) starts the error message.
absl::Status LoadAuthorsWeights(const TensorMap& state, ZegClipSegmentorImpl& model, const std::string& source);

// ReadTensorArchive + LoadAuthorsWeights.
absl::Status LoadAuthorsCheckpoint(const std::string& path, ZegClipSegmentorImpl& model);

}  // namespace zegclip::model

#endif  // ZEGCLIP_MODEL_AUTHORS_CHECKPOINT_H_
