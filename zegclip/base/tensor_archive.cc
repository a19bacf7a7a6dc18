#include "zegclip/base/tensor_archive.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/import_read.h>
#include <torch/csrc/jit/serialization/storage_context.h>
#include <torch/serialize.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"
#include "zegclip/base/tensor_bounds.h"
#include "zegclip/base/zip_check.h"
#include "zegclip/base/path_check.h"
#include "zegclip/base/atomic_file.h"

namespace zegclip::base {
namespace {

// LibTorch's exception texts carry a C++ backtrace after the first line.
std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// torch::pickle_load of the file, made safe for damaged and hostile files in two ways (each found by
// tensor_archive_fuzzer under ASan):
//  - read through LibTorch's file adapter: pickle_load's in-memory adapter copies whatever range the zip reader asks
//    for without a bounds check, and a damaged zip directory made it read past its buffer;
//  - every storage built from its record's real size: the unpickler otherwise sizes a storage by the element count
//    the pickle claims, over a record that may be shorter. With the storages given up front (a storage context, the
//    mechanism torch.package uses), CheckTensorInStorage below measures every tensor against the bytes that exist.
c10::IValue UnpickleFile(const std::string& path) {
  caffe2::serialize::PyTorchStreamReader reader(path);
  auto storages = std::make_shared<torch::jit::DeserializationStorageContext>();
  const std::string kStorageFolder = "data/";
  for (const std::string& record : reader.getAllRecords()) {
    if (record.rfind(kStorageFolder, 0) != 0) continue;
    auto [data, size] = reader.getRecord(record);
    storages->addStorage(record.substr(kStorageFolder.size()),
                         c10::Storage(c10::Storage::use_byte_size_t(), size, std::move(data), /*allocator=*/nullptr,
                                      /*resizable=*/false));
  }
  return torch::jit::readArchiveAndTensors("data", /*pickle_prefix=*/"", /*tensor_prefix=*/"",
                                           /*type_resolver=*/c10::nullopt, /*obj_loader=*/c10::nullopt,
                                           /*device=*/c10::nullopt, reader, torch::jit::Unpickler::defaultTypeParser,
                                           storages);
}

}  // namespace

absl::StatusOr<TensorMap> ReadTensorArchive(const std::string& path) {
  if (absl::Status s = base::CheckReadableFile(path, "tensor archive"); !s.ok()) {
    if (s.code() != absl::StatusCode::kNotFound) return s;  // permission denied, a folder, a symlink loop
    return absl::NotFoundError(absl::StrCat(path, ": cannot open the tensor archive"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the tensor archive"));
  char magic[2] = {0, 0};
  if (!in.read(magic, 2) || magic[0] != 'P' || magic[1] != 'K') {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a tensor archive (expected the zip file torch.save writes, e.g. from "
              "tools/convert_zegclip_checkpoint.py)"));
  }
  if (absl::Status zip = base::CheckZipArchive(path); !zip.ok()) {
    return absl::Status(zip.code() == absl::StatusCode::kDataLoss ? zip.code() : absl::StatusCode::kInvalidArgument,
                        absl::StrCat(path, ": ", absl::IsDataLoss(zip) ? "" : "not a readable tensor archive: ",
                                     zip.message()));
  }
  c10::IValue value;
  try {
    value = UnpickleFile(path);
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
    const at::Tensor tensor = entry.value().toTensor();
    if (absl::Status s = base::CheckTensorInStorage(tensor, absl::StrCat(path, ": '", name, "'")); !s.ok()) return s;
    tensors.emplace(name, tensor);
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
  return base::WriteFileAtomically(path, std::string(bytes.data(), bytes.size()));
}

}  // namespace zegclip::base
