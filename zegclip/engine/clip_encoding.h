// A CLIP checkpoint used on its own (`zegclip tokenize / clip-encode / text-embed`): the model loaded for inference,
// images read from files and preprocessed as OpenAI's clip.load does, unit-length image and text embeddings, and the
// class-name lists text-embed reads.
//
// Example:
//   absl::StatusOr<clip::ClipModel> model = LoadClipForInference("ViT-B-16.pt", at::kCPU);
//   absl::StatusOr<at::Tensor> images = EncodeImageFiles(**model, {"cat.jpg", "dog.png"}, at::kCPU);   // (2, D)
//   absl::StatusOr<at::Tensor> texts = EncodeTexts(**model, tokenizer, {"a cat", "a dog"}, false, at::kCPU);
//   at::Tensor cosine = at::matmul(*images, texts->t());
#ifndef ZEGCLIP_ENGINE_CLIP_ENCODING_H_
#define ZEGCLIP_ENGINE_CLIP_ENCODING_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/clip/clip_model.h"

namespace zegclip::engine {

// "cpu" or "cuda" (an error when this build or machine has no CUDA device, naming --device).
absl::StatusOr<at::Device> ParseDeviceName(const std::string& name);

// The architecture read off the archive (OpenAI's or pretrain-clip's), its weights, eval mode, on `device`.
absl::StatusOr<clip::ClipModel> LoadClipForInference(const std::string& path, at::Device device);

// OpenAI's vocabulary vendored with the platform when `merges_path` is empty, else that file.
absl::StatusOr<clip::BpeTokenizer> LoadTokenizerOrDefault(const std::string& merges_path);

// A file decoded (data/image_io.h) and preprocessed as clip.load's transform: float (3, resolution, resolution).
// Errors name the file (missing, not an image).
absl::StatusOr<at::Tensor> LoadClipImage(const std::string& path, int64_t resolution);

// Unit-length float32 CPU image embeddings (N, D) of the files, in order, encoded in batches of `batch_size`.
absl::StatusOr<at::Tensor> EncodeImageFiles(clip::ClipModelImpl& model, const std::vector<std::string>& paths,
                                            at::Device device, int64_t batch_size = 16);

// Unit-length float32 CPU text embeddings (N, D), in order. Fails when the tokenizer's vocabulary is larger than the
// text encoder's, or a text is longer than the context and `truncate` is false.
absl::StatusOr<at::Tensor> EncodeTexts(clip::ClipModelImpl& model, const clip::BpeTokenizer& tokenizer,
                                       const std::vector<std::string>& texts, bool truncate, at::Device device);

// What clip-encode prints: the numbered images and texts, and with both the image x text cosine matrix and the
// zero-shot probabilities softmax(logit_scale · cosine) over the texts. Either embedding may be undefined.
std::string FormatClipEncoding(const std::vector<std::string>& images, const std::vector<std::string>& texts,
                               const at::Tensor& image_embeddings, const at::Tensor& text_embeddings,
                               double logit_scale);

// "a,b,c" (comma-separated) or "@FILE" (one name per line, blank lines skipped); names trimmed; errors for an empty
// or repeated name, naming --classes or the file.
absl::StatusOr<std::vector<std::string>> ParseClassNames(const std::string& spec);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_CLIP_ENCODING_H_
