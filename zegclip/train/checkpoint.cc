#include "zegclip/train/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include <ATen/core/Generator.h>
#include <ATen/Context.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "absl/strings/str_cat.h"
#include "zegclip/report/atomic_file.h"

namespace zegclip::train {
namespace {

constexpr char kFormat[] = "zegclip-checkpoint-v1";

// The first line of an exception's message (LibTorch appends backtraces).
std::string FirstLine(const std::exception& e) {
  const c10::Error* c10_error = dynamic_cast<const c10::Error*>(&e);
  std::string message = c10_error != nullptr ? c10_error->what_without_backtrace() : e.what();
  return message.substr(0, message.find('\n'));
}

std::string ShapeString(const at::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

c10::List<std::string> ToList(const std::vector<std::string>& values) {
  c10::List<std::string> list;
  for (const std::string& v : values) list.push_back(v);
  return list;
}

std::vector<std::string> StringsOf(const c10::IValue& value) {
  std::vector<std::string> out;
  const c10::List<c10::IValue> list = value.toList();
  for (size_t i = 0; i < list.size(); ++i) out.push_back(list.get(i).toStringRef());
  return out;
}

at::Tensor BytesToTensor(const std::string& bytes) {
  at::Tensor t = at::empty({static_cast<int64_t>(bytes.size())}, at::TensorOptions().dtype(at::kByte));
  if (!bytes.empty()) std::memcpy(t.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  return t;
}

std::string TensorToBytes(const at::Tensor& tensor) {
  const at::Tensor t = tensor.to(at::kCPU).contiguous();
  return std::string(reinterpret_cast<const char*>(t.data_ptr<uint8_t>()), static_cast<size_t>(t.numel()));
}

// Every parameter then every buffer, by dotted name.
std::vector<std::pair<std::string, at::Tensor>> ModelTensors(const torch::nn::Module& model) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : model.named_parameters(true)) out.emplace_back(item.key(), item.value());
  for (const auto& item : model.named_buffers(true)) out.emplace_back(item.key(), item.value());
  return out;
}

// Reads the archive's model tensors and copies them into `model` after checking names and shapes.
absl::Status RestoreModel(const std::string& path, torch::serialize::InputArchive& archive,
                          torch::nn::Module& model) {
  c10::IValue names_value, tensors_value;
  archive.read("model/names", names_value);
  archive.read("model/tensors", tensors_value);
  const std::vector<std::string> names = StringsOf(names_value);
  const c10::List<at::Tensor> tensors = tensors_value.toTensorList();
  if (names.size() != tensors.size()) return absl::DataLossError(absl::StrCat(path, ": model names/tensors differ"));
  std::map<std::string, at::Tensor> saved;
  for (size_t i = 0; i < names.size(); ++i) saved[names[i]] = tensors.get(i);

  const auto targets = ModelTensors(model);
  std::set<std::string> used;
  for (const auto& [name, target] : targets) {
    auto it = saved.find(name);
    if (it == saved.end()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": the model's tensor '", name, "' is not in the checkpoint"));
    }
    if (!it->second.sizes().equals(target.sizes())) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor '", name, "' has shape ",
                                                     ShapeString(it->second), " in the checkpoint, the model expects ",
                                                     ShapeString(target)));
    }
    used.insert(name);
  }
  for (const auto& [name, tensor] : saved) {
    if (used.count(name) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor '", name, "' in the checkpoint is not in the model"));
    }
  }
  at::NoGradGuard no_grad;
  for (const auto& [name, target] : targets) {
    at::Tensor t = target;
    t.copy_(saved[name]);
  }
  return absl::OkStatus();
}

absl::Status LoadArchive(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                         TrainingState* state) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  c10::IValue format;
  if (!archive.try_read("format", format) || !format.isString() || format.toStringRef() != kFormat) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a zegclip training checkpoint (no '", kFormat,
                                                   "' format tag)"));
  }
  if (absl::Status s = RestoreModel(path, archive, model); !s.ok()) return s;
  if (optimizer != nullptr) {
    torch::serialize::InputArchive optimizer_archive;
    if (!archive.try_read("optimizer", optimizer_archive)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": the checkpoint has no optimizer state"));
    }
    optimizer->load(optimizer_archive);
  }
  c10::IValue iter, rng, keys, values;
  archive.read("iter", iter);
  archive.read("rng", rng);
  archive.read("metadata/keys", keys);
  archive.read("metadata/values", values);
  state->iter = iter.toInt();
  state->rng_states.clear();
  const c10::List<at::Tensor> rng_tensors = rng.toTensorList();
  for (size_t i = 0; i < rng_tensors.size(); ++i) state->rng_states.push_back(TensorToBytes(rng_tensors.get(i)));
  const std::vector<std::string> k = StringsOf(keys), v = StringsOf(values);
  state->metadata.clear();
  for (size_t i = 0; i < k.size() && i < v.size(); ++i) state->metadata[k[i]] = v[i];
  return absl::OkStatus();
}

}  // namespace


absl::Status SaveCheckpoint(const std::string& path, const torch::nn::Module& model,
                            const torch::optim::Optimizer* optimizer, const TrainingState& state) {
  std::string bytes;
  try {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("iter", c10::IValue(state.iter));
    std::vector<std::string> names;
    c10::List<at::Tensor> tensors;
    for (const auto& [name, tensor] : ModelTensors(model)) {
      names.push_back(name);
      tensors.push_back(tensor.detach());
    }
    archive.write("model/names", c10::IValue(ToList(names)));
    archive.write("model/tensors", c10::IValue(tensors));
    if (optimizer != nullptr) {
      torch::serialize::OutputArchive optimizer_archive(archive.compilation_unit());
      optimizer->save(optimizer_archive);
      archive.write("optimizer", optimizer_archive);
    }
    c10::List<at::Tensor> rng;
    for (const std::string& s : state.rng_states) rng.push_back(BytesToTensor(s));
    archive.write("rng", c10::IValue(rng));
    std::vector<std::string> keys, values;
    for (const auto& [k, v] : state.metadata) {
      keys.push_back(k);
      values.push_back(v);
    }
    archive.write("metadata/keys", c10::IValue(ToList(keys)));
    archive.write("metadata/values", c10::IValue(ToList(values)));
    std::ostringstream out;
    archive.save_to(out);
    bytes = out.str();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(path, ": cannot serialise the checkpoint: ", FirstLine(e)));
  }
  return report::WriteFileAtomically(path, bytes);
}

absl::Status LoadCheckpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                            TrainingState* state) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open the checkpoint: ", std::strerror(errno)));
  }
  try {
    return LoadArchive(path, model, optimizer, state);
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": not a readable checkpoint (corrupt or truncated?): ",
                                            FirstLine(e)));
  }
}

std::string CaptureRngState() {
  // Layout: one or two records of [int64 device type][int64 length][state bytes]: CPU, then CUDA if present.
  std::string out;
  auto append = [&out](int64_t device_type, const at::Tensor& state) {
    const std::string bytes = TensorToBytes(state);
    const int64_t header[2] = {device_type, static_cast<int64_t>(bytes.size())};
    out.append(reinterpret_cast<const char*>(header), sizeof(header));
    out.append(bytes);
  };
  {
    at::Generator cpu = at::globalContext().defaultGenerator(at::Device(at::kCPU));
    std::lock_guard<std::mutex> lock(cpu.mutex());
    append(static_cast<int64_t>(at::kCPU), cpu.get_state());
  }
  if (at::hasCUDA()) {
    const c10::impl::VirtualGuardImpl cuda_guard(c10::DeviceType::CUDA);
    at::Generator cuda = at::globalContext().defaultGenerator(cuda_guard.getDevice());
    std::lock_guard<std::mutex> lock(cuda.mutex());
    append(static_cast<int64_t>(at::kCUDA), cuda.get_state());
  }
  return out;
}

absl::Status RestoreRngState(const std::string& bytes) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    int64_t header[2];
    if (bytes.size() - pos < sizeof(header)) return absl::DataLossError("RNG state: truncated record header");
    std::memcpy(header, bytes.data() + pos, sizeof(header));
    pos += sizeof(header);
    if (header[1] < 0 || static_cast<size_t>(header[1]) > bytes.size() - pos) {
      return absl::DataLossError("RNG state: truncated record");
    }
    const at::Tensor state = BytesToTensor(bytes.substr(pos, static_cast<size_t>(header[1])));
    pos += static_cast<size_t>(header[1]);
    try {
      if (header[0] == static_cast<int64_t>(at::kCPU)) {
        at::Generator cpu = at::globalContext().defaultGenerator(at::Device(at::kCPU));
        std::lock_guard<std::mutex> lock(cpu.mutex());
        cpu.set_state(state);
      } else if (header[0] == static_cast<int64_t>(at::kCUDA) && at::hasCUDA()) {
        // (A CUDA state is skipped on a machine without CUDA: that resume cannot be exact anyway.)
        const c10::impl::VirtualGuardImpl cuda_guard(c10::DeviceType::CUDA);
        at::Generator cuda = at::globalContext().defaultGenerator(cuda_guard.getDevice());
        std::lock_guard<std::mutex> lock(cuda.mutex());
        cuda.set_state(state);
      }
    } catch (const std::exception& e) {
      return absl::DataLossError(absl::StrCat("RNG state: cannot restore: ", FirstLine(e)));
    }
  }
  return absl::OkStatus();
}

}  // namespace zegclip::train
