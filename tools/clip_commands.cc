// CLIP from the command line:
//
//   zegclip tokenize --text="a photo of a cat." [--text=...]            OpenAI's 77 ids per text, one line each
//   zegclip clip-encode --clip_checkpoint=ViT-B-16.pt --image=cat.jpg --image=dog.png \
//       --text="a photo of a cat" --text="a photo of a dog" [--out_image=I.npy] [--out_text=T.npy]
//   zegclip text-embed --clip_checkpoint=ViT-B-16.pt --classes=cat,dog|@names.txt --templates=imagenet --out=E.npy
//
// --clip_checkpoint is OpenAI's TorchScript archive or one written by `zegclip pretrain-clip` (architecture read off the
// file); --bpe_vocab defaults to OpenAI's vocabulary vendored with the platform. Embeddings are L2-normalised
// float32 .npy files, rows in argument order. clip-encode prints the image x text cosine matrix and the zero-shot
// probabilities softmax(logit_scale.exp() x cosine) over the texts. A bad flag is one "<command>: ..." line and
// exit status 2; a failure while running is one "error: ..." line and exit status 1.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gflags/gflags.h>
#include <torch/cuda.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/clip/class_embeddings.h"
#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/image_preprocess.h"
#include "zegclip/clip/npy_io.h"
#include "zegclip/clip/prompt_templates.h"
#include "zegclip/io/path_check.h"

// Shared with other commands (defined beside them): --clip_checkpoint (flags.cc), --image, --classes, --out, --bpe_vocab
// (segment). --text and --image may be repeated: zegclip_main.cc collects every value in order.
DECLARE_string(image);
DECLARE_string(classes);
DECLARE_string(out);
DECLARE_string(bpe_vocab);
DEFINE_string(text, "", "tokenize / clip-encode: a text; repeat the flag for several (--text=a --text=b)");
DEFINE_string(out_image, "", "clip-encode: write the L2-normalised image embeddings here, float32 (N, D) .npy");
DEFINE_string(out_text, "", "clip-encode: write the L2-normalised text embeddings here, float32 (N, D) .npy");
DEFINE_string(templates, "single",
              "text-embed: prompt templates: single, imagenet, zegclip_single, zegclip_multi, or @FILE (one per line)");
DEFINE_int32(context_length, 77, "tokenize: token ids per text (OpenAI: 77)");
DEFINE_bool(truncate, false,
            "tokenize / clip-encode: cut texts longer than the context instead of failing (OpenAI's "
            "truncate=True)");
DEFINE_string(device, "cpu", "clip-encode / text-embed: cpu or cuda");

namespace zegclip::tools {
namespace {

constexpr int64_t kImageBatch = 16;

int UsageError(const char* command, const std::string& message) {
  std::cerr << command << ": " << message << "\n";
  return 2;
}

int RuntimeError(const absl::Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

std::vector<std::string> Repeated(const CommandLine& command_line, const std::string& flag) {
  auto it = command_line.repeated.find(flag);
  return it == command_line.repeated.end() ? std::vector<std::string>{} : it->second;
}

// "" when fine, else the problem with an output path given in --flag.
std::string OutputPathProblem(const char* flag, const std::string& path) {
  if (path.empty()) return "";
  const std::filesystem::path p(path);
  const std::filesystem::path folder = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  absl::Status in_folder = io::CheckDirectory(folder.string(), "folder");
  if (in_folder.code() == absl::StatusCode::kNotFound) {
    return absl::StrCat("--", flag, "=", path, ": folder ", folder.string(), " does not exist");
  }
  if (!in_folder.ok()) return absl::StrCat("--", flag, "=", path, ": ", in_folder.message());
  absl::StatusOr<io::PathType> type = io::TypeOf(path, "output file");
  if (!type.ok()) return absl::StrCat("--", flag, "=", path, ": ", type.status().message());
  if (*type == io::PathType::kDirectory) return absl::StrCat("--", flag, "=", path, " is a folder");
  return "";
}

// "" when fine: no stray positional arguments.
std::string PositionalProblem(const CommandLine& command_line) {
  if (command_line.positional.empty()) return "";
  return absl::StrCat("unexpected argument '", command_line.positional[0],
                      "' (quote texts with spaces: --text=\"a photo of a cat\")");
}

absl::StatusOr<clip::BpeTokenizer> LoadTokenizer() {
  clip::BpeTokenizerOptions options;
  options.merges_path = FLAGS_bpe_vocab.empty() ? engine::BpeVocabPath(config::ClipConfig()) : FLAGS_bpe_vocab;
  return clip::BpeTokenizer::Load(options);
}

absl::StatusOr<at::Device> ParseDevice(const std::string& name) {
  if (name == "cpu") return at::Device(at::kCPU);
  if (name == "cuda") {
    if (!torch::cuda::is_available()) return absl::UnavailableError("--device=cuda: no CUDA device in this build");
    return at::Device(at::kCUDA);
  }
  return absl::InvalidArgumentError(absl::StrCat("--device=", name, ": expected cpu or cuda"));
}

// The architecture read off the archive, its weights, eval mode, on `device`.
absl::StatusOr<clip::ClipModel> LoadClip(const std::string& path, at::Device device) {
  absl::StatusOr<clip::ClipOptions> options = clip::InferClipOptions(path);
  if (!options.ok()) return options.status();
  clip::ClipModel model(*options);
  absl::Status loaded = clip::LoadClipWeights(path, *model);
  if (!loaded.ok()) return loaded;
  model->eval();
  model->to(device);
  return model;
}

void UseAllCores() { at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))); }

at::Tensor Normalized(const at::Tensor& x) { return x / x.norm(2, -1, /*keepdim=*/true); }

}  // namespace

int RunTokenize(const CommandLine& command_line) {
  const std::vector<std::string> texts = Repeated(command_line, "text");
  if (texts.empty()) return UsageError("tokenize", "give at least one --text=STRING (repeatable)");
  if (FLAGS_context_length < 2) return UsageError("tokenize", "--context_length must be at least 2");
  if (FLAGS_context_length > clip::kMaxContextLength) {
    return UsageError("tokenize", absl::StrCat("--context_length=", FLAGS_context_length, " is above the limit of ",
                                               clip::kMaxContextLength, " (OpenAI's CLIP: 77)"));
  }
  if (std::string p = PositionalProblem(command_line); !p.empty()) return UsageError("tokenize", p);
  absl::StatusOr<clip::BpeTokenizer> tokenizer = LoadTokenizer();
  if (!tokenizer.ok()) return RuntimeError(tokenizer.status());
  absl::StatusOr<at::Tensor> ids = tokenizer->Tokenize(texts, FLAGS_context_length, FLAGS_truncate);
  if (!ids.ok()) return RuntimeError(ids.status());
  for (int64_t row = 0; row < ids->size(0); ++row) {
    const at::Tensor r = (*ids)[row].contiguous();
    const int64_t* data = r.data_ptr<int64_t>();
    std::cout << absl::StrJoin(data, data + r.numel(), " ") << "\n";
  }
  return 0;
}

namespace {

// Unit-length image embeddings (N, D) of the files, in order.
absl::StatusOr<at::Tensor> EncodeImages(clip::ClipModelImpl& model, const std::vector<std::string>& paths,
                                        at::Device device) {
  std::vector<at::Tensor> embeddings;
  std::vector<at::Tensor> batch;
  for (size_t i = 0; i < paths.size(); ++i) {
    absl::StatusOr<at::Tensor> image = clip::LoadClipImage(paths[i], model.options().image_resolution);
    if (!image.ok()) return image.status();
    batch.push_back(*image);
    if (static_cast<int64_t>(batch.size()) == kImageBatch || i + 1 == paths.size()) {
      embeddings.push_back(Normalized(model.EncodeImage(at::stack(batch).to(device))).to(at::kCPU, at::kFloat));
      batch.clear();
    }
  }
  return at::cat(embeddings);
}

// Unit-length text embeddings (N, D), in order.
absl::StatusOr<at::Tensor> EncodeTexts(clip::ClipModelImpl& model, const std::vector<std::string>& texts,
                                       at::Device device) {
  absl::StatusOr<clip::BpeTokenizer> tokenizer = LoadTokenizer();
  if (!tokenizer.ok()) return tokenizer.status();
  if (tokenizer->vocab_size() > model.options().vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat("the BPE vocabulary has ", tokenizer->vocab_size(),
                                                   " tokens but the checkpoint's text encoder only ",
                                                   model.options().vocab_size, ": pass the checkpoint's --bpe_vocab"));
  }
  absl::StatusOr<at::Tensor> tokens = tokenizer->Tokenize(texts, model.options().context_length, FLAGS_truncate);
  if (!tokens.ok()) return tokens.status();
  return Normalized(model.EncodeText(tokens->to(device))).to(at::kCPU, at::kFloat);
}

void PrintMatrix(const std::string& title, const at::Tensor& m) {
  std::cout << title << "\n       ";
  for (int64_t t = 0; t < m.size(1); ++t) std::cout << absl::StrFormat(" %8s", absl::StrCat("[", t + 1, "]"));
  std::cout << "\n";
  for (int64_t i = 0; i < m.size(0); ++i) {
    std::cout << absl::StrFormat("%7s", absl::StrCat("[", i + 1, "]"));
    for (int64_t t = 0; t < m.size(1); ++t) std::cout << absl::StrFormat(" %8.4f", m[i][t].item<float>());
    std::cout << "\n";
  }
}

void PrintList(const char* title, const std::vector<std::string>& items) {
  std::cout << title << "\n";
  for (size_t i = 0; i < items.size(); ++i) std::cout << "  [" << i + 1 << "] " << items[i] << "\n";
}

// "" when the flags of clip-encode are consistent.
std::string ClipEncodeFlagProblem(const CommandLine& command_line, const std::vector<std::string>& images,
                                  const std::vector<std::string>& texts) {
  if (FLAGS_clip_checkpoint.empty()) return "--clip_checkpoint=PT (a CLIP TorchScript archive) is required";
  if (images.empty() && texts.empty()) return "give at least one --image=FILE or --text=STRING (both repeatable)";
  if (!FLAGS_out_image.empty() && images.empty()) return "--out_image needs at least one --image";
  if (!FLAGS_out_text.empty() && texts.empty()) return "--out_text needs at least one --text";
  if (std::string p = OutputPathProblem("out_image", FLAGS_out_image); !p.empty()) return p;
  if (std::string p = OutputPathProblem("out_text", FLAGS_out_text); !p.empty()) return p;
  if (absl::StatusOr<at::Device> d = ParseDevice(FLAGS_device); !d.ok()) return std::string(d.status().message());
  return PositionalProblem(command_line);
}

}  // namespace

int RunClipEncode(const CommandLine& command_line) {
  const std::vector<std::string> images = Repeated(command_line, "image");
  const std::vector<std::string> texts = Repeated(command_line, "text");
  if (std::string p = ClipEncodeFlagProblem(command_line, images, texts); !p.empty()) {
    return UsageError("clip-encode", p);
  }
  UseAllCores();
  const at::Device device = *ParseDevice(FLAGS_device);
  absl::StatusOr<clip::ClipModel> model = LoadClip(FLAGS_clip_checkpoint, device);
  if (!model.ok()) return RuntimeError(model.status());
  at::NoGradGuard no_grad;
  at::Tensor image_embeddings, text_embeddings;
  if (!images.empty()) {
    absl::StatusOr<at::Tensor> e = EncodeImages(**model, images, device);
    if (!e.ok()) return RuntimeError(e.status());
    image_embeddings = *e;
    PrintList("images:", images);
  }
  if (!texts.empty()) {
    absl::StatusOr<at::Tensor> e = EncodeTexts(**model, texts, device);
    if (!e.ok()) return RuntimeError(e.status());
    text_embeddings = *e;
    PrintList("texts:", texts);
  }
  for (const auto& [path, embeddings] :
       {std::make_pair(FLAGS_out_image, image_embeddings), std::make_pair(FLAGS_out_text, text_embeddings)}) {
    if (path.empty()) continue;
    absl::Status written = clip::WriteNpy(path, embeddings);
    if (!written.ok()) return RuntimeError(written);
    std::cout << "wrote " << path << ": " << embeddings.size(0) << " x " << embeddings.size(1) << " float32\n";
  }
  if (image_embeddings.defined() && text_embeddings.defined()) {
    const at::Tensor cosine = at::matmul(image_embeddings, text_embeddings.t());
    const float scale = (*model)->logit_scale.exp().item<float>();
    PrintMatrix("cosine similarity (rows: images, columns: texts):", cosine);
    PrintMatrix(absl::StrFormat("zero-shot probabilities (softmax over the texts of %.2f x cosine):", scale),
                at::softmax(cosine * scale, /*dim=*/1));
  }
  return 0;
}

namespace {

// --classes=a,b,c (comma-separated) or @FILE (one name per line); names trimmed, no empty or repeated name.
absl::StatusOr<std::vector<std::string>> ParseClassNames(const std::string& spec) {
  std::vector<std::string> names;
  std::string source = "--classes";
  if (!spec.empty() && spec[0] == '@') {
    source = spec.substr(1);
    std::ifstream in(source);
    if (!in) return absl::NotFoundError(absl::StrCat("class file ", source, " does not exist or cannot be read"));
    for (std::string line; std::getline(in, line);) {
      if (!absl::StripAsciiWhitespace(line).empty()) names.emplace_back(absl::StripAsciiWhitespace(line));
    }
  } else {
    for (absl::string_view name : absl::StrSplit(spec, ',')) {
      name = absl::StripAsciiWhitespace(name);
      if (name.empty()) return absl::InvalidArgumentError("--classes has an empty class name (a,,b or a trailing ,)");
      names.emplace_back(name);
    }
  }
  if (names.empty()) return absl::InvalidArgumentError(absl::StrCat(source, " holds no class names"));
  std::set<std::string> seen;
  for (const std::string& name : names) {
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": class '", name, "' appears twice"));
    }
  }
  return names;
}

}  // namespace

int RunTextEmbed(const CommandLine& command_line) {
  if (FLAGS_clip_checkpoint.empty())
    return UsageError("text-embed", "--clip_checkpoint=PT (a CLIP TorchScript archive) is required");
  if (FLAGS_classes.empty()) return UsageError("text-embed", "--classes=a,b,c or --classes=@FILE is required");
  if (FLAGS_out.empty()) return UsageError("text-embed", "--out=E.npy is required");
  if (std::string p = OutputPathProblem("out", FLAGS_out); !p.empty()) return UsageError("text-embed", p);
  if (std::string p = PositionalProblem(command_line); !p.empty()) return UsageError("text-embed", p);
  absl::StatusOr<at::Device> device = ParseDevice(FLAGS_device);
  if (!device.ok()) return UsageError("text-embed", std::string(device.status().message()));
  absl::StatusOr<std::vector<std::string>> templates = clip::LoadTemplates(FLAGS_templates);
  if (!templates.ok()) return UsageError("text-embed", absl::StrCat("--templates: ", templates.status().message()));
  absl::StatusOr<std::vector<std::string>> names = ParseClassNames(FLAGS_classes);
  if (!names.ok()) return UsageError("text-embed", std::string(names.status().message()));
  UseAllCores();
  absl::StatusOr<clip::BpeTokenizer> tokenizer = LoadTokenizer();
  if (!tokenizer.ok()) return RuntimeError(tokenizer.status());
  absl::StatusOr<clip::ClipModel> model = LoadClip(FLAGS_clip_checkpoint, *device);
  if (!model.ok()) return RuntimeError(model.status());
  absl::StatusOr<at::Tensor> embeddings = clip::EmbedClassNames(**model, *tokenizer, *names, *templates);
  if (!embeddings.ok()) return RuntimeError(embeddings.status());
  absl::Status written = clip::WriteNpy(FLAGS_out, embeddings->to(at::kCPU));
  if (!written.ok()) return RuntimeError(written);
  std::cout << "wrote " << FLAGS_out << ": " << names->size() << " classes x " << embeddings->size(1)
            << " float32, mean of " << templates->size() << " template(s) per class\n";
  return 0;
}

}  // namespace zegclip::tools
