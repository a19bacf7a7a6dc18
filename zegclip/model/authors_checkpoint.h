// The authors' released ZegCLIP checkpoints (mmseg `.pth`, github.com/ZiqinZhou66/ZegCLIP) both ways:
//   import: their state_dict (converted to a tensor archive by tools/convert_zegclip_checkpoint.py) into a
//           ZegClipSegmentor (SegmentorOptionsFromAuthors + LoadAuthorsWeights);
//   export: a ZegClipSegmentor of ours as their state_dict (AuthorsStateDict), which `zegclip export-authors` writes
//           as {'state_dict': ..., 'meta': ...} for their load_state_dict(strict=True).
// The names are mapped by the one table of authors_key_rules.h in both directions.
//
// Import: everything the rules do not know fails: the error names EVERY unmapped key, every key our model lacks,
// every mis-shaped tensor (both shapes) and every parameter of ours left without a value. Keys of theirs only
// (see authors_key_rules.h) are skipped; clip.logit_scale (ours only) keeps its value. Tensors of any floating dtype
// (a float16 / bfloat16 archive) are converted to the model's dtype.
//
// Their backbone adds class_embedding to the CLS token twice (once as the token, once into the CLS positional row)
// and stores its positional embedding at the training resolution (512² -> 32² + 1 rows); SegmentorOptionsFromAuthors
// builds a model that matches both. The export makes their forward compute what ours does (AuthorsStateDict).
//
// Example:
//   absl::StatusOr<base::TensorMap> state = base::ReadTensorArchive("zegclip_voc.tensors");
//   absl::StatusOr<SegmentorOptions> options = SegmentorOptionsFromAuthors(*state, base_options);
//   ZegClipSegmentor model(*options);
//   absl::Status s = LoadAuthorsWeights(*state, *model, "zegclip_voc.tensors");
//   absl::StatusOr<base::TensorMap> theirs = AuthorsStateDict(*model, {/*input_resolution=*/512, /*loss_classes=*/15});
#ifndef ZEGCLIP_MODEL_AUTHORS_CHECKPOINT_H_
#define ZEGCLIP_MODEL_AUTHORS_CHECKPOINT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "zegclip/model/authors_key_rules.h"
#include "zegclip/base/tensor_archive.h"
#include "zegclip/model/zegclip_segmentor.h"

namespace zegclip::model {

// The architecture the checkpoint's shapes imply, on top of `base` (which supplies what shapes cannot tell: head
// counts, dropouts, the run-time switches): image tower (width, patch, layers, resolution from the positional
// embedding, embed_dim), text tower (vocab, width, context length, layers), prompts (tokens, deep depth; shallow when
// only prompt_embeddings exist; defaults' FROZEN/FINETUNE when none), decoder (layers, width, FFN ratio, input
// projection), the relationship descriptor (q_proj present), and class_embedding_twice = true. Vision and text head
// counts stay the defaults' when they divide the width, else width / 64 as OpenAI's. Errors name the missing key.
absl::StatusOr<SegmentorOptions> SegmentorOptionsFromAuthors(const base::TensorMap& state,
                                                             const SegmentorOptions& defaults);

// Copies their tensors into `model` (converted to the model's dtype and device). Nothing is copied unless every
// check passes; `source` (a file name) starts the error message.
absl::Status LoadAuthorsWeights(const base::TensorMap& state, ZegClipSegmentorImpl& model, const std::string& source);

// base::ReadTensorArchive + LoadAuthorsWeights.
absl::Status LoadAuthorsCheckpoint(const std::string& path, ZegClipSegmentorImpl& model);

// What their model's configuration fixes and our checkpoint does not say.
struct AuthorsExportOptions {
  // Their backbone's input_resolution (their config's img_size: the training crop). Their positional embedding
  // lives at this grid and their forward resizes it to each input; ours lives at the CLIP's native grid (ViT-B/16:
  // 14²) and our forward resizes it to each input. The export writes ours resized to this grid exactly as our forward
  // does for an input of this size, so both compute the same at this size (their test windows); at other input
  // sizes theirs resizes twice (native -> this grid -> input), which differs slightly. 0: the grid ours stores.
  int64_t input_resolution = 0;
  // Their loss config's num_classes (criterion.empty_weight has num_classes + 1 entries): their VOC inductive config
  // says 15 (the seen classes), their VOC transductive and fully supervised ones 20. Must be positive.
  int64_t loss_classes = 0;
};

// Our model's parameters under their names and shapes, on the CPU, in the model's dtype, every key their ZegCLIP
// (VPTCLIPVisionTransformer backbone; CLIPVisionTransformer for a model without prompts) holds and no other:
//  - clip.logit_scale is dropped (they have none).
//  - backbone.positional_embedding is resized to options.input_resolution (see there).
//  - A model whose CLS gets class_embedding once (clip.class_embedding_twice = false, e.g. a CLIP pre-trained
//    here): their forward computes CLS = 2c + pos[0], ours c + pos[0]; the export writes c unchanged and
//    pos[0] - c, so theirs computes c + ((pos[0] - c) + c) = ours up to one float rounding. A twice-model (the
//    authors' layout) is written as it is: export -> import is then bit-exact.
//  - A text-query model (no relationship descriptor): their head always applies q_proj to [g ⊙ t, t]; the export
//    writes q_proj.weight = [0 | I], bias 0, so their queries are the text embeddings exactly, as ours.
//  - Their-only tensors get AuthorsOnlyTensors' values (authors_key_rules.h): zero self-attention, unit norm1,
//    their empty_weight, and a shallow model's unused prompt_norm.
// Errors (one line): a decoder FFN ratio other than their fixed 4, an input_resolution that is not a multiple of
// the patch size, loss_classes < 1, a parameter no rule knows.
absl::StatusOr<base::TensorMap> AuthorsStateDict(const ZegClipSegmentorImpl& model,
                                                 const AuthorsExportOptions& options);

// The part of their config file that must agree with the exported shapes, as Python text (model = dict(...)), for
// the user to merge into theirs (e.g. configs/voc12/vpt_seg_zero_vit-b_512x512_20k_12_10.py).
std::string AuthorsConfigSnippet(const SegmentorOptions& options, const AuthorsExportOptions& export_options);

// Writes `state_dict` as an mmseg checkpoint, {'state_dict': {key: tensor}, 'meta': {'CLASSES': [...], key: text}},
// atomically; their tools (mmcv's load_checkpoint, torch.load) read it. `meta` entries other than CLASSES are
// provenance strings (which checkpoint, which config).
absl::Status WriteAuthorsCheckpoint(const base::TensorMap& state_dict, const std::vector<std::string>& classes,
                                    const std::map<std::string, std::string>& meta, const std::string& path);

}  // namespace zegclip::model

#endif  // ZEGCLIP_MODEL_AUTHORS_CHECKPOINT_H_
