// `zegclip clip-encode --clip_checkpoint=PT [--image=F ...] [--text=STR ...] [--out_image=I.npy] [--out_text=T.npy]`:
// L2-normalised CLIP image and text embeddings (float32 .npy, rows in argument order), the image x text cosine matrix
// and the zero-shot probabilities softmax(logit_scale.exp() x cosine) over the texts. --clip_checkpoint is OpenAI's
// TorchScript archive or one written by `zegclip pretrain-clip` (architecture read off the file).
#include <gflags/gflags.h>

#include <iostream>

#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/base/npy_io.h"
#include "zegclip/engine/clip_encoding.h"

// --image and --bpe_vocab are defined beside segment, --text and --truncate beside tokenize; --text and --image are
// repeatable (zegclip_main.cc collects every value in order).
DECLARE_string(bpe_vocab);
DECLARE_bool(truncate);
DEFINE_string(out_image, "", "clip-encode: write the L2-normalised image embeddings here, float32 (N, D) .npy");
DEFINE_string(out_text, "", "clip-encode: write the L2-normalised text embeddings here, float32 (N, D) .npy");
DEFINE_string(device, "cpu", "clip-encode / text-embed: cpu or cuda");

namespace zegclip::tools {
namespace {

// "" when the flags are consistent.
std::string FlagProblem(const CommandLine& command_line, const std::vector<std::string>& images,
                        const std::vector<std::string>& texts) {
  if (FLAGS_clip_checkpoint.empty()) return "--clip_checkpoint=PT (a CLIP TorchScript archive) is required";
  if (images.empty() && texts.empty()) return "give at least one --image=FILE or --text=STRING (both repeatable)";
  if (!FLAGS_out_image.empty() && images.empty()) return "--out_image needs at least one --image";
  if (!FLAGS_out_text.empty() && texts.empty()) return "--out_text needs at least one --text";
  if (std::string p = OutputPathProblem("out_image", FLAGS_out_image); !p.empty()) return p;
  if (std::string p = OutputPathProblem("out_text", FLAGS_out_text); !p.empty()) return p;
  if (absl::StatusOr<at::Device> d = engine::ParseDeviceName(FLAGS_device); !d.ok()) {
    return std::string(d.status().message());
  }
  return PositionalProblem(command_line);
}

// Writes `embeddings` to `path` unless the path is empty; false (after printing the error) on failure.
bool WriteIfAsked(const std::string& path, const at::Tensor& embeddings) {
  if (path.empty()) return true;
  if (absl::Status written = base::WriteNpy(path, embeddings); !written.ok()) {
    RuntimeError(written);
    return false;
  }
  std::cout << "wrote " << path << ": " << embeddings.size(0) << " x " << embeddings.size(1) << " float32\n";
  return true;
}

}  // namespace

int RunClipEncode(const CommandLine& command_line) {
  const std::vector<std::string> images = command_line.Values("image");
  const std::vector<std::string> texts = command_line.Values("text");
  if (std::string p = FlagProblem(command_line, images, texts); !p.empty()) return UsageError("clip-encode", p);
  UseAllCores();
  const at::Device device = *engine::ParseDeviceName(FLAGS_device);
  absl::StatusOr<clip::ClipModel> model = engine::LoadClipForInference(FLAGS_clip_checkpoint, device);
  if (!model.ok()) return RuntimeError(model.status());
  at::NoGradGuard no_grad;
  at::Tensor image_embeddings, text_embeddings;
  if (!images.empty()) {
    absl::StatusOr<at::Tensor> e = engine::EncodeImageFiles(**model, images, device);
    if (!e.ok()) return RuntimeError(e.status());
    image_embeddings = *e;
  }
  if (!texts.empty()) {
    absl::StatusOr<clip::BpeTokenizer> tokenizer = engine::LoadTokenizerOrDefault(FLAGS_bpe_vocab);
    if (!tokenizer.ok()) return RuntimeError(tokenizer.status());
    absl::StatusOr<at::Tensor> e = engine::EncodeTexts(**model, *tokenizer, texts, FLAGS_truncate, device);
    if (!e.ok()) return RuntimeError(e.status());
    text_embeddings = *e;
  }
  if (!WriteIfAsked(FLAGS_out_image, image_embeddings) || !WriteIfAsked(FLAGS_out_text, text_embeddings)) return 1;
  std::cout << engine::FormatClipEncoding(images, texts, image_embeddings, text_embeddings,
                                          (*model)->logit_scale.exp().item<double>());
  return 0;
}

}  // namespace zegclip::tools
