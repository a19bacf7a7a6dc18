#include "zegclip/model/tensor_archive.h"

#include <torch/serialize.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"
#include "zegclip/io/path_check.h"
#include "zegclip/report/atomic_file.h"

namespace zegclip::model {
namespace {

// LibTorch's exception texts carry a C++ backtrace after the first line.
std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

absl::StatusOr<TensorMap> ReadTensorArchive(const std::string& path) {
  if (absl::Status s = io::CheckReadableFile(path, "tensor archive"); !s.ok()) {
    if (s.code() != absl::StatusCode::kNotFound) return s;  // permission denied, a folder, a symlink loop
    return absl::NotFoundError(absl::StrCat(path, ": cannot open the tensor archive"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the tensor archive"));
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 4 || bytes[0] != 'P' || bytes[1] != 'K') {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a tensor archive (expected the zip file torch.save writes, e.g. from "
              "tools/convert_zegclip_checkpoint.py)"));
  }
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot unpickle the tensor archive: ", FirstLine(e.what())));
  }
  if (!value.isGenericDict()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected a dict of name -> tensor, found ", value.tagKind()));
  }
  TensorMap tensors;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": a key is a ", entry.key().tagKind(), ", not a string"));
    }
    const std::string name = entry.key().toStringRef();
    if (!entry.value().isTensor()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": '", name, "' is a ", entry.value().tagKind(), ", not a tensor"));
    }
    tensors.emplace(name, entry.value().toTensor());
  }
  return tensors;
}

absl::Status WriteTensorArchive(const TensorMap& tensors, const std::string& path) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [name, tensor] : tensors) dict.insert(name, tensor.detach().to(at::kCPU).contiguous());
  return WritePickledFile(c10::IValue(dict), path);
}

absl::Status WritePickledFile(const c10::IValue& value, const std::string& path) {
  std::vector<char> bytes;
  try {
    bytes = torch::pickle_save(value);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(path, ": cannot serialise: ", FirstLine(e.what())));
  }
  return report::WriteFileAtomically(path, std::string(bytes.data(), bytes.size()));
}

}  // namespace zegclip::model
