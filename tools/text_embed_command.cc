// `zegclip text-embed --clip_checkpoint=PT --classes=a,b,c|@FILE --templates=single|imagenet|...|@FILE --out=E.npy`:
// class embeddings averaged over prompt templates (OpenAI's zero-shot recipe), a float32 (C, D) .npy.
#include <gflags/gflags.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/base/npy_io.h"
#include "zegclip/clip/class_embeddings.h"
#include "zegclip/clip/prompt_templates.h"
#include "zegclip/engine/clip_encoding.h"

// Defined beside segment (--classes, --out, --bpe_vocab) and clip-encode (--device).
DECLARE_string(classes);
DECLARE_string(out);
DECLARE_string(bpe_vocab);
DECLARE_string(device);
DEFINE_string(templates, "single",
              "text-embed: prompt templates: single, imagenet, zegclip_single, zegclip_multi, or @FILE (one per line)");

namespace zegclip::tools {

int RunTextEmbed(const CommandLine& command_line) {
  constexpr char kName[] = "text-embed";
  if (FLAGS_clip_checkpoint.empty()) {
    return UsageError(kName, "--clip_checkpoint=PT (a CLIP TorchScript archive) is required");
  }
  if (FLAGS_classes.empty()) return UsageError(kName, "--classes=a,b,c or --classes=@FILE is required");
  if (FLAGS_out.empty()) return UsageError(kName, "--out=E.npy is required");
  if (std::string p = OutputPathProblem("out", FLAGS_out); !p.empty()) return UsageError(kName, p);
  if (std::string p = PositionalProblem(command_line); !p.empty()) return UsageError(kName, p);
  absl::StatusOr<at::Device> device = engine::ParseDeviceName(FLAGS_device);
  if (!device.ok()) return UsageError(kName, std::string(device.status().message()));
  absl::StatusOr<std::vector<std::string>> templates = clip::LoadTemplates(FLAGS_templates);
  if (!templates.ok()) return UsageError(kName, absl::StrCat("--templates: ", templates.status().message()));
  absl::StatusOr<std::vector<std::string>> names = engine::ParseClassNames(FLAGS_classes);
  if (!names.ok()) return UsageError(kName, std::string(names.status().message()));

  UseAllCores();
  absl::StatusOr<clip::BpeTokenizer> tokenizer = engine::LoadTokenizerOrDefault(FLAGS_bpe_vocab);
  if (!tokenizer.ok()) return RuntimeError(tokenizer.status());
  absl::StatusOr<clip::ClipModel> model = engine::LoadClipForInference(FLAGS_clip_checkpoint, *device);
  if (!model.ok()) return RuntimeError(model.status());
  absl::StatusOr<at::Tensor> embeddings = clip::EmbedClassNames(**model, *tokenizer, *names, *templates);
  if (!embeddings.ok()) return RuntimeError(embeddings.status());
  if (absl::Status written = base::WriteNpy(FLAGS_out, embeddings->to(at::kCPU)); !written.ok()) {
    return RuntimeError(written);
  }
  std::cout << "wrote " << FLAGS_out << ": " << names->size() << " classes x " << embeddings->size(1)
            << " float32, mean of " << templates->size() << " template(s) per class\n";
  return 0;
}

}  // namespace zegclip::tools
