#include "zegclip/clip/clip_checkpoint.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/base/tensor_bounds.h"
#include "zegclip/base/zip_check.h"
#include "zegclip/base/path_check.h"

namespace zegclip::clip {
namespace {

// Head counts cannot be read off the shapes; SaveClipCheckpoint records them in this archive extra file.
constexpr char kHeadsFile[] = "zegclip_clip_heads.txt";

struct Archive {
  std::vector<std::pair<std::string, at::Tensor>> tensors;  // archive order
  std::map<std::string, at::Tensor> by_name;
  std::string heads_text;  // contents of kHeadsFile, empty for OpenAI's archives
};

std::string ShapeString(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t d = 0; d < t.dim(); ++d) absl::StrAppend(&s, d == 0 ? "" : ", ", t.size(d));
  return s + "]";
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

bool IsOpenAiMetadataKey(const std::string& name) {
  return name == "input_resolution" || name == "context_length" || name == "vocab_size";
}

bool IsPromptKey(const std::string& name) {
  return absl::StartsWith(name, "visual.prompt_") || absl::StartsWith(name, "visual.deep_prompt_");
}

absl::StatusOr<Archive> ReadArchive(const std::string& path) {
  if (absl::Status s = base::CheckReadableFile(path, "CLIP checkpoint"); !s.ok()) {
    if (s.code() != absl::StatusCode::kNotFound) return s;  // permission denied, a folder, a symlink loop
    return absl::NotFoundError(absl::StrCat("CLIP checkpoint ", path, " does not exist or is not a regular file"));
  }
  if (absl::Status zip = base::CheckZipArchive(path); !zip.ok()) {
    return absl::Status(absl::IsDataLoss(zip) ? absl::StatusCode::kDataLoss : absl::StatusCode::kInvalidArgument,
                        absl::StrCat("CLIP checkpoint ", path,
                                     absl::IsDataLoss(zip) ? ": " : " is not a readable TorchScript archive: ",
                                     zip.message()));
  }
  torch::jit::ExtraFilesMap extra{{kHeadsFile, ""}};
  torch::jit::Module module;
  try {
    module = torch::jit::load(path, at::Device(at::kCPU), extra);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat("CLIP checkpoint ", path, " is not a readable TorchScript ",
                                                   "archive: ", FirstLine(e.what_without_backtrace())));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("CLIP checkpoint ", path, " is not a readable TorchScript ",
                                                   "archive: ", FirstLine(e.what())));
  }
  Archive archive;
  absl::Status bounds;
  auto add = [&](const std::string& name, const at::Tensor& value) {
    if (archive.by_name.count(name) > 0 || !bounds.ok()) return;
    bounds = base::CheckTensorInStorage(value, absl::StrCat("CLIP checkpoint ", path, ": '", name, "'"));
    archive.by_name[name] = value;
    archive.tensors.emplace_back(name, value);
  };
  for (const auto& item : module.named_parameters(/*recurse=*/true)) add(item.name, item.value);
  for (const auto& item : module.named_buffers(/*recurse=*/true)) add(item.name, item.value);
  if (!bounds.ok()) return bounds;
  archive.heads_text = extra[kHeadsFile];
  return archive;
}

absl::StatusOr<at::Tensor> Require(const Archive& archive, const std::string& path, const std::string& key,
                                   int64_t dims) {
  auto it = archive.by_name.find(key);
  if (it == archive.by_name.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("CLIP checkpoint ", path, " is not a CLIP ViT checkpoint: key '", key, "' is missing"));
  }
  if (it->second.dim() != dims) {
    return absl::InvalidArgumentError(absl::StrCat("CLIP checkpoint ", path, ": key '", key, "' has shape ",
                                                   ShapeString(it->second), ", expected ", dims, " dimensions"));
  }
  return it->second;
}

// Number of distinct block indices N among keys "<prefix>N.*".
int64_t CountBlocks(const Archive& archive, absl::string_view prefix) {
  std::set<std::string> indices;
  for (const auto& [name, tensor] : archive.tensors) {
    absl::string_view rest = name;
    if (!absl::ConsumePrefix(&rest, prefix)) continue;
    indices.insert(std::string(rest.substr(0, rest.find('.'))));
  }
  return static_cast<int64_t>(indices.size());
}

// Heads from the archive's record ("vision_heads=12\ntext_heads=8"), else OpenAI's width / 64.
absl::Status InferHeads(const Archive& archive, const std::string& path, ClipOptions* options) {
  std::map<std::string, int64_t> recorded;
  for (absl::string_view line : absl::StrSplit(archive.heads_text, '\n', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
    int64_t value = 0;
    if (absl::SimpleAtoi(kv.second, &value)) recorded[kv.first] = value;
  }
  auto heads = [&](const char* key, int64_t width, int64_t* out) -> absl::Status {
    if (recorded.count(key) > 0) {
      *out = recorded[key];
    } else if (width % 64 == 0) {
      *out = width / 64;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("CLIP checkpoint ", path, ": cannot infer ", key,
                                                     " (width ", width, " is not a multiple of 64 and the archive ",
                                                     "does not record it)"));
    }
    return absl::OkStatus();
  };
  absl::Status status = heads("vision_heads", options->vision_width, &options->vision_heads);
  if (!status.ok()) return status;
  return heads("text_heads", options->text_width, &options->text_heads);
}

absl::StatusOr<ClipOptions> OptionsFromArchive(const Archive& archive, const std::string& path) {
  absl::StatusOr<at::Tensor> conv1 = Require(archive, path, "visual.conv1.weight", 4);
  absl::StatusOr<at::Tensor> vpos = Require(archive, path, "visual.positional_embedding", 2);
  absl::StatusOr<at::Tensor> vproj = Require(archive, path, "visual.proj", 2);
  absl::StatusOr<at::Tensor> tproj = Require(archive, path, "text_projection", 2);
  absl::StatusOr<at::Tensor> tpos = Require(archive, path, "positional_embedding", 2);
  absl::StatusOr<at::Tensor> tokens = Require(archive, path, "token_embedding.weight", 2);
  absl::StatusOr<at::Tensor> ln_final = Require(archive, path, "ln_final.weight", 1);
  for (const auto* t : {&conv1, &vpos, &vproj, &tproj, &tpos, &tokens, &ln_final}) {
    if (!t->ok()) return t->status();
  }
  ClipOptions options;
  options.vision_width = conv1->size(0);
  options.patch_size = conv1->size(-1);
  options.vision_layers = CountBlocks(archive, "visual.transformer.resblocks.");
  const int64_t cells = vpos->size(0) - 1;
  int64_t grid = 0;
  while ((grid + 1) * (grid + 1) <= cells) ++grid;
  if (grid * grid != cells) {
    return absl::InvalidArgumentError(absl::StrCat("CLIP checkpoint ", path, ": visual.positional_embedding has ",
                                                   vpos->size(0), " rows, expected 1 + a square grid"));
  }
  options.image_resolution = options.patch_size * grid;
  options.embed_dim = tproj->size(1);
  options.context_length = tpos->size(0);
  options.vocab_size = tokens->size(0);
  options.text_width = ln_final->size(0);
  options.text_layers = CountBlocks(archive, "transformer.resblocks.");
  options.drop_path = 0.0;
  absl::Status heads = InferHeads(archive, path, &options);
  if (!heads.ok()) return heads;
  return options;
}

// The first name/shape disagreement between the archive and the model, or OK.
absl::Status CheckKeys(const Archive& archive, const std::string& path,
                       const torch::OrderedDict<std::string, at::Tensor>& params) {
  for (const auto& item : params) {
    auto it = archive.by_name.find(item.key());
    if (it == archive.by_name.end()) {
      if (IsPromptKey(item.key())) continue;  // new in ZegCLIP: keeps its initialisation
      return absl::InvalidArgumentError(absl::StrCat("CLIP checkpoint ", path, ": missing key '", item.key(),
                                                     "' (the model expects shape ", ShapeString(item.value()), ")"));
    }
    if (!it->second.sizes().equals(item.value().sizes())) {
      return absl::InvalidArgumentError(absl::StrCat("CLIP checkpoint ", path, ": key '", item.key(), "' has shape ",
                                                     ShapeString(it->second), " in the file but the model expects ",
                                                     ShapeString(item.value())));
    }
  }
  for (const auto& [name, tensor] : archive.tensors) {
    if (params.find(name) == nullptr && !IsOpenAiMetadataKey(name)) {
      return absl::InvalidArgumentError(absl::StrCat("CLIP checkpoint ", path, ": unexpected key '", name,
                                                     "' with shape ", ShapeString(tensor),
                                                     " (the model has no such parameter)"));
    }
  }
  return absl::OkStatus();
}

// OpenAI's convert_weights halves conv / linear / attention weights and biases and the two projections only.
bool HalvedByOpenAi(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '.');
  const std::string& last = parts.back();
  if (last == "in_proj_weight" || last == "in_proj_bias" || last == "text_projection" || name == "visual.proj") {
    return true;
  }
  if (parts.size() < 2) return false;
  const std::string& owner = parts[parts.size() - 2];
  return owner == "conv1" || owner == "c_fc" || owner == "c_proj" || owner == "out_proj" || owner == "prompt_proj";
}

// A name tree of the parameters, turned into nested TorchScript modules (OpenAI's nesting).
struct NameNode {
  std::vector<std::string> child_order;
  std::map<std::string, std::unique_ptr<NameNode>> children;
  std::vector<std::pair<std::string, at::Tensor>> tensors;
};

void Insert(NameNode* root, const std::string& name, const at::Tensor& value) {
  std::vector<std::string> parts = absl::StrSplit(name, '.');
  NameNode* node = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    std::unique_ptr<NameNode>& child = node->children[parts[i]];
    if (!child) {
      child = std::make_unique<NameNode>();
      node->child_order.push_back(parts[i]);
    }
    node = child.get();
  }
  node->tensors.emplace_back(parts.back(), value);
}

torch::jit::Module BuildModule(const NameNode& node, const std::string& path,
                               const std::shared_ptr<torch::jit::CompilationUnit>& unit) {
  // One class per module path: the names must be valid identifiers, so dots and digits become underscores.
  std::string type = "CLIP";
  if (!path.empty()) absl::StrAppend(&type, "_", absl::StrReplaceAll(path, {{".", "_"}}));
  torch::jit::Module module(c10::QualifiedName(absl::StrCat("__torch__.zegclip.clip.", type)), unit,
                            /*shouldMangle=*/true);
  for (const auto& [name, tensor] : node.tensors) module.register_parameter(name, tensor, /*is_buffer=*/false);
  for (const std::string& child : node.child_order) {
    const std::string child_path = path.empty() ? child : absl::StrCat(path, ".", child);
    module.register_module(child, BuildModule(*node.children.at(child), child_path, unit));
  }
  return module;
}

}  // namespace

absl::StatusOr<ClipOptions> InferClipOptions(const std::string& path) {
  absl::StatusOr<Archive> archive = ReadArchive(path);
  if (!archive.ok()) return archive.status();
  return OptionsFromArchive(*archive, path);
}

absl::Status LoadClipWeights(const std::string& path, ClipModelImpl& model) {
  absl::StatusOr<Archive> archive = ReadArchive(path);
  if (!archive.ok()) return archive.status();
  const torch::OrderedDict<std::string, at::Tensor> params = model.named_parameters(/*recurse=*/true);
  absl::Status keys = CheckKeys(*archive, path, params);
  if (!keys.ok()) return keys;
  // NaN or inf weights would give a model that scores 0 everywhere without saying why.
  std::vector<std::string> non_finite;
  for (const auto& item : params) {
    auto it = archive->by_name.find(item.key());
    if (it != archive->by_name.end() && it->second.is_floating_point() && !at::isfinite(it->second).all().item<bool>()) {
      non_finite.push_back(item.key());
    }
  }
  if (!non_finite.empty()) {
    return absl::DataLossError(absl::StrCat(path, ": NaN or inf in ", non_finite.size(), " weight tensor(s) (",
                                            absl::StrJoin(non_finite, ", "), "): not a usable CLIP checkpoint"));
  }
  at::NoGradGuard no_grad;
  for (const auto& item : params) {
    auto it = archive->by_name.find(item.key());
    if (it == archive->by_name.end()) continue;
    at::Tensor target = item.value();
    target.copy_(it->second.to(target.scalar_type()));
  }
  return absl::OkStatus();
}

absl::Status SaveClipCheckpoint(const ClipModelImpl& model, const std::string& path, bool fp16) {
  const std::filesystem::path target(path);
  const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return absl::NotFoundError(absl::StrCat("cannot save CLIP checkpoint ", path, ": folder ", folder.string(),
                                            " does not exist"));
  }
  NameNode root;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    at::Tensor value = item.value().detach().to(at::kCPU).contiguous().clone();
    if (fp16 && HalvedByOpenAi(item.key())) value = value.to(at::kHalf);
    Insert(&root, item.key(), value);
  }
  auto unit = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module module = BuildModule(root, "", unit);
  const torch::jit::ExtraFilesMap extra{
      {kHeadsFile, absl::StrCat("vision_heads=", model.options().vision_heads, "\ntext_heads=",
                                model.options().text_heads, "\n")}};
  // Streamed into base's atomic write: a crash mid-save leaves the previous checkpoint (the fsyncs included).
  return base::WriteFileAtomically(path, [&](std::ostream& out) {
    try {
      module.save(out, extra);
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("cannot save CLIP checkpoint ", path, ": ", FirstLine(e.what())));
    }
    return absl::OkStatus();
  });
}

}  // namespace zegclip::clip
