#include "zegclip/engine/clip_encoding.h"

#include <torch/cuda.h>

#include <fstream>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#ifndef ZEGCLIP_WITHOUT_READERS
#include "data/image_io.h"
#endif
#include "zegclip/clip/clip_checkpoint.h"
#include "zegclip/clip/image_preprocess.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/engine/experiment_options.h"

namespace zegclip::engine {
namespace {

at::Tensor Normalized(const at::Tensor& x) { return x / x.norm(2, -1, /*keepdim=*/true); }

}  // namespace

absl::StatusOr<at::Device> ParseDeviceName(const std::string& name) {
  if (name == "cpu") return at::Device(at::kCPU);
  if (name == "cuda") {
    if (!torch::cuda::is_available()) return absl::UnavailableError("--device=cuda: no CUDA device in this build");
    return at::Device(at::kCUDA);
  }
  return absl::InvalidArgumentError(absl::StrCat("--device=", name, ": expected cpu or cuda"));
}

absl::StatusOr<clip::ClipModel> LoadClipForInference(const std::string& path, at::Device device) {
  absl::StatusOr<clip::ClipOptions> options = clip::InferClipOptions(path);
  if (!options.ok()) return options.status();
  clip::ClipModel model(*options);
  if (absl::Status loaded = clip::LoadClipWeights(path, *model); !loaded.ok()) return loaded;
  model->eval();
  model->to(device);
  return model;
}

absl::StatusOr<clip::BpeTokenizer> LoadTokenizerOrDefault(const std::string& merges_path) {
  clip::BpeTokenizerOptions options;
  options.merges_path = merges_path.empty() ? BpeVocabPath(config::ClipConfig()) : merges_path;
  return clip::BpeTokenizer::Load(options);
}

absl::StatusOr<at::Tensor> LoadClipImage(const std::string& path, int64_t resolution) {
#ifdef ZEGCLIP_WITHOUT_READERS
  // Builds without OpenCV (the GPU hosts' CMake mirror) keep the in-memory transform but cannot decode files.
  (void)resolution;
  return absl::UnimplementedError(absl::StrCat("image ", path, ": this build has no image decoder (no OpenCV)"));
#else
  absl::StatusOr<at::Tensor> rgb = data::ReadRgbImage(path);
  if (!rgb.ok()) return rgb.status();
  if (rgb->size(0) == 0 || rgb->size(1) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("image ", path, " is empty"));
  }
  return clip::PreprocessClipImage(*rgb, resolution);
#endif
}

absl::StatusOr<at::Tensor> EncodeImageFiles(clip::ClipModelImpl& model, const std::vector<std::string>& paths,
                                            at::Device device, int64_t batch_size) {
  std::vector<at::Tensor> embeddings;
  std::vector<at::Tensor> batch;
  for (size_t i = 0; i < paths.size(); ++i) {
    absl::StatusOr<at::Tensor> image = LoadClipImage(paths[i], model.options().image_resolution);
    if (!image.ok()) return image.status();
    batch.push_back(*image);
    if (static_cast<int64_t>(batch.size()) == batch_size || i + 1 == paths.size()) {
      embeddings.push_back(Normalized(model.EncodeImage(at::stack(batch).to(device))).to(at::kCPU, at::kFloat));
      batch.clear();
    }
  }
  return at::cat(embeddings);
}

absl::StatusOr<at::Tensor> EncodeTexts(clip::ClipModelImpl& model, const clip::BpeTokenizer& tokenizer,
                                       const std::vector<std::string>& texts, bool truncate, at::Device device) {
  if (tokenizer.vocab_size() > model.options().vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat("the BPE vocabulary has ", tokenizer.vocab_size(),
                                                   " tokens but the checkpoint's text encoder only ",
                                                   model.options().vocab_size, ": pass the checkpoint's --bpe_vocab"));
  }
  absl::StatusOr<at::Tensor> tokens = tokenizer.Tokenize(texts, model.options().context_length, truncate);
  if (!tokens.ok()) return tokens.status();
  return Normalized(model.EncodeText(tokens->to(device))).to(at::kCPU, at::kFloat);
}

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

namespace {

std::string FormatMatrix(const std::string& title, const at::Tensor& m) {
  std::string out = title + "\n       ";
  for (int64_t t = 0; t < m.size(1); ++t) absl::StrAppend(&out, absl::StrFormat(" %8s", absl::StrCat("[", t + 1, "]")));
  out += "\n";
  for (int64_t i = 0; i < m.size(0); ++i) {
    absl::StrAppend(&out, absl::StrFormat("%7s", absl::StrCat("[", i + 1, "]")));
    for (int64_t t = 0; t < m.size(1); ++t) absl::StrAppend(&out, absl::StrFormat(" %8.4f", m[i][t].item<float>()));
    out += "\n";
  }
  return out;
}

std::string FormatList(const char* title, const std::vector<std::string>& items) {
  std::string out = absl::StrCat(title, "\n");
  for (size_t i = 0; i < items.size(); ++i) absl::StrAppend(&out, "  [", i + 1, "] ", items[i], "\n");
  return out;
}

}  // namespace

std::string FormatClipEncoding(const std::vector<std::string>& images, const std::vector<std::string>& texts,
                               const at::Tensor& image_embeddings, const at::Tensor& text_embeddings,
                               double logit_scale) {
  std::string out;
  if (image_embeddings.defined()) out += FormatList("images:", images);
  if (text_embeddings.defined()) out += FormatList("texts:", texts);
  if (!image_embeddings.defined() || !text_embeddings.defined()) return out;
  const at::Tensor cosine = at::matmul(image_embeddings, text_embeddings.t());
  out += FormatMatrix("cosine similarity (rows: images, columns: texts):", cosine);
  out +=
      FormatMatrix(absl::StrFormat("zero-shot probabilities (softmax over the texts of %.2f x cosine):", logit_scale),
                   at::softmax(cosine * logit_scale, /*dim=*/1));
  return out;
}

}  // namespace zegclip::engine
