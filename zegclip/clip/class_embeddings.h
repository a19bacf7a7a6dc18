// Class embeddings for zero-shot classification and segmentation: class names × prompt templates through CLIP's
// text tower, averaged per class (OpenAI's zeroshot_classifier), and reading the authors' precomputed `.npy` files.
//
// Example:
//   absl::StatusOr<std::vector<std::string>> templates = LoadTemplates("imagenet");     // prompt_templates.h
//   absl::StatusOr<at::Tensor> text = EmbedClassNames(*model, tokenizer, {"cat", "dog"}, *templates);  // (2, D)
//   absl::StatusOr<at::Tensor> voc = ReadClassEmbeddings("voc12_single.npy", /*classes=*/20, /*dim=*/512);
#ifndef ZEGCLIP_CLIP_CLASS_EMBEDDINGS_H_
#define ZEGCLIP_CLIP_CLASS_EMBEDDINGS_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/clip/clip_model.h"

namespace zegclip::clip {

// Per class: the mean over templates of the L2-normalised EncodeText of FillTemplate(template, name), normalised
// again -- float32 (C, embed_dim) unit rows on the model's device, no gradient; the model is run in eval mode and
// its training flag restored. Prompts are encoded `batch_size` at a time. Errors: no names or no templates, a
// template without exactly one "{}", a prompt longer than the context (naming it), token ids beyond the model's
// vocabulary (a BPE file that does not belong to the checkpoint).
absl::StatusOr<at::Tensor> EmbedClassNames(ClipModelImpl& model, const BpeTokenizer& tokenizer,
                                           const std::vector<std::string>& names,
                                           const std::vector<std::string>& templates, int64_t batch_size = 256);

// A (C, D) class-embedding matrix from a .npy file (float32, or float16 / float64 converted to float32), used as it
// is stored (the authors' files hold unit rows). `classes` / `dim` < 0 accept any size. Errors name the file: not
// 2-D, wrong row or column count, an integer dtype, non-finite values.
absl::StatusOr<at::Tensor> ReadClassEmbeddings(const std::string& path, int64_t classes, int64_t dim);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_CLASS_EMBEDDINGS_H_
