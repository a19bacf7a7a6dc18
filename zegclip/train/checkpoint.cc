#include "zegclip/train/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include <torch/serialize/input-archive.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/output-archive.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "zegclip/base/byte_tensor.h"
#include "zegclip/base/exception_text.h"
#include "zegclip/base/tensor_bounds.h"
#include "zegclip/base/zip_check.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/train/content_digest.h"

namespace zegclip::train {
namespace {

// v2 adds a content checksum and stores the optimizer as bytes (so the checksum covers it); v1 files still load.
constexpr char kFormatV1[] = "zegclip-checkpoint-v1";
constexpr char kFormatV2[] = "zegclip-checkpoint-v2";

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

// Throws (caught by the loaders as "not a readable checkpoint") for a tensor read from a file that is not uint8 or
// lies outside its storage.
std::string TensorToBytes(const at::Tensor& tensor) {
  if (absl::Status s = base::CheckTensorInStorage(tensor, "a byte record"); !s.ok()) {
    throw std::runtime_error(std::string(s.message()));
  }
  if (tensor.scalar_type() != at::kByte) throw std::runtime_error("a byte record that is not uint8");
  return base::StringFromByteTensor(tensor);
}

// Every parameter then every buffer, by dotted name.
std::vector<std::pair<std::string, at::Tensor>> ModelTensors(const torch::nn::Module& model) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : model.named_parameters(true)) out.emplace_back(item.key(), item.value());
  for (const auto& item : model.named_buffers(true)) out.emplace_back(item.key(), item.value());
  return out;
}

// The saved model tensors copied into `model` after checking names and shapes (nothing is copied on an error).
absl::Status RestoreModel(const std::string& path, const std::vector<std::string>& names,
                          const c10::List<at::Tensor>& tensors, torch::nn::Module& model) {
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

// Every tensor inside its storage (base/tensor_bounds.h) before anything reads it: the checksum, isfinite, copies.
absl::Status CheckInStorage(const std::string& path, const std::vector<std::string>& names,
                            const c10::List<at::Tensor>& tensors) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::string name = i < names.size() ? names[i] : absl::StrCat("#", i);
    if (absl::Status s = base::CheckTensorInStorage(tensors.get(i), absl::StrCat(path, ": tensor '", name, "'"));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// A model tensor with NaN or inf is refused: weights like that only ever give a silent wrong answer (hIoU 0).
absl::Status CheckFinite(const std::string& path, const std::vector<std::string>& names,
                         const c10::List<at::Tensor>& tensors) {
  for (size_t i = 0; i < names.size() && i < tensors.size(); ++i) {
    const at::Tensor t = tensors.get(i);
    if (t.is_floating_point() && !at::isfinite(t).all().item<bool>()) {
      return absl::DataLossError(absl::StrCat(path, ": tensor '", names[i],
                                              "' holds NaN or inf: the run had diverged when this was written"));
    }
  }
  return absl::OkStatus();
}

// What a checkpoint holds besides the model tensors, read back.
struct ArchiveRest {
  int64_t iter = 0;
  std::vector<std::string> rng_states;
  std::vector<std::string> keys, values;
};

ArchiveRest ReadRest(torch::serialize::InputArchive& archive) {
  c10::IValue iter, rng, keys, values;
  archive.read("iter", iter);
  archive.read("rng", rng);
  archive.read("metadata/keys", keys);
  archive.read("metadata/values", values);
  ArchiveRest rest;
  rest.iter = iter.toInt();
  const c10::List<at::Tensor> rng_tensors = rng.toTensorList();
  for (size_t i = 0; i < rng_tensors.size(); ++i) rest.rng_states.push_back(TensorToBytes(rng_tensors.get(i)));
  rest.keys = StringsOf(keys);
  rest.values = StringsOf(values);
  return rest;
}

void FillState(const ArchiveRest& rest, TrainingState* state) {
  state->iter = rest.iter;
  state->rng_states = rest.rng_states;
  state->metadata.clear();
  for (size_t i = 0; i < rest.keys.size() && i < rest.values.size(); ++i) state->metadata[rest.keys[i]] = rest.values[i];
}

// The digest of everything a v2 checkpoint holds, in one fixed order (the same on save and load).
std::string Checksum(const std::vector<std::string>& names, const c10::List<at::Tensor>& tensors,
                     const std::string& optimizer_bytes, const ArchiveRest& rest) {
  ContentDigest d;
  d.Add(rest.iter);
  for (size_t i = 0; i < names.size(); ++i) {
    d.Add(names[i]);
    d.Add(tensors.get(i));
  }
  d.Add(optimizer_bytes);
  for (const std::string& r : rest.rng_states) d.Add(r);
  for (const std::string& k : rest.keys) d.Add(k);
  for (const std::string& v : rest.values) d.Add(v);
  return d.Hex();
}

std::string OptimizerBytes(const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void LoadOptimizerBytes(const std::string& bytes, torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive archive;
  std::istringstream in(bytes);
  archive.load_from(in);
  optimizer.load(archive);
}

// The moments of the optimizers this project builds (AdamW; Adam and SGD for tests), by parameter order.
struct OptimizerMoment {
  std::string name;  // "optimizer state of parameter 3 (exp_avg)"
  at::Tensor param, moment;
};

std::vector<OptimizerMoment> OptimizerMoments(const torch::optim::Optimizer& optimizer) {
  std::vector<OptimizerMoment> out;
  size_t index = 0;
  for (const auto& group : optimizer.param_groups()) {
    for (const at::Tensor& param : group.params()) {
      const auto it = optimizer.state().find(c10::guts::to_string(param.unsafeGetTensorImpl()));
      const std::string name = absl::StrCat("optimizer state of parameter ", index++);
      if (it == optimizer.state().end()) continue;
      auto add = [&](const char* what, const at::Tensor& t) {
        if (t.defined()) out.push_back({absl::StrCat(name, " (", what, ")"), param, t});
      };
      if (const auto* w = dynamic_cast<const torch::optim::AdamWParamState*>(it->second.get())) {
        add("exp_avg", w->exp_avg());
        add("exp_avg_sq", w->exp_avg_sq());
        add("max_exp_avg_sq", w->max_exp_avg_sq());
      } else if (const auto* a = dynamic_cast<const torch::optim::AdamParamState*>(it->second.get())) {
        add("exp_avg", a->exp_avg());
        add("exp_avg_sq", a->exp_avg_sq());
        add("max_exp_avg_sq", a->max_exp_avg_sq());
      } else if (const auto* m = dynamic_cast<const torch::optim::SGDParamState*>(it->second.get())) {
        add("momentum_buffer", m->momentum_buffer());
      }
    }
  }
  return out;
}

// A loaded optimizer state must fit its parameters: inside its storage and of the parameter's shape, or the next
// step would read foreign memory or stop on a shape mismatch.
absl::Status CheckOptimizerState(const std::string& path, const torch::optim::Optimizer& optimizer) {
  for (const OptimizerMoment& m : OptimizerMoments(optimizer)) {
    if (absl::Status s = base::CheckTensorInStorage(m.moment, absl::StrCat(path, ": ", m.name)); !s.ok()) return s;
    if (!m.moment.sizes().equals(m.param.sizes())) {
      return absl::DataLossError(absl::StrCat(path, ": ", m.name, " has shape ", ShapeString(m.moment),
                                              ", its parameter ", ShapeString(m.param)));
    }
  }
  return absl::OkStatus();
}

// A v1 file (no checksum; the optimizer as a nested archive): still read, unverified.
absl::Status LoadV1(const std::string& path, torch::serialize::InputArchive& archive, torch::nn::Module& model,
                    torch::optim::Optimizer* optimizer, TrainingState* state) {
  c10::IValue names, tensors;
  archive.read("model/names", names);
  archive.read("model/tensors", tensors);
  const std::vector<std::string> name_list = StringsOf(names);
  const c10::List<at::Tensor> tensor_list = tensors.toTensorList();
  if (absl::Status s = CheckInStorage(path, name_list, tensor_list); !s.ok()) return s;
  if (absl::Status s = CheckFinite(path, name_list, tensor_list); !s.ok()) return s;
  if (absl::Status s = RestoreModel(path, name_list, tensor_list, model); !s.ok()) return s;
  if (optimizer != nullptr) {
    torch::serialize::InputArchive optimizer_archive;
    if (!archive.try_read("optimizer", optimizer_archive)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": the checkpoint has no optimizer state"));
    }
    optimizer->load(optimizer_archive);
    if (absl::Status s = CheckOptimizerState(path, *optimizer); !s.ok()) return s;
  }
  FillState(ReadRest(archive), state);
  return absl::OkStatus();
}

// Reads a v2 file's contents and checks them (checksum, finite model tensors) before anything is used.
absl::Status ReadVerifiedV2(const std::string& path, torch::serialize::InputArchive& archive,
                            std::vector<std::string>* names, c10::List<at::Tensor>* tensors,
                            std::string* optimizer_bytes, ArchiveRest* rest) {
  c10::IValue names_value, tensors_value, optimizer_value, checksum;
  archive.read("model/names", names_value);
  archive.read("model/tensors", tensors_value);
  *names = StringsOf(names_value);
  *tensors = tensors_value.toTensorList();
  if (names->size() != tensors->size()) return absl::DataLossError(absl::StrCat(path, ": model names/tensors differ"));
  if (absl::Status s = CheckInStorage(path, *names, *tensors); !s.ok()) return s;
  optimizer_bytes->clear();
  if (archive.try_read("optimizer_bytes", optimizer_value)) *optimizer_bytes = TensorToBytes(optimizer_value.toTensor());
  *rest = ReadRest(archive);
  if (!archive.try_read("checksum", checksum) || !checksum.isString()) {
    return absl::DataLossError(absl::StrCat(path, ": the checkpoint has no checksum (truncated or edited?)"));
  }
  const std::string computed = Checksum(*names, *tensors, *optimizer_bytes, *rest);
  if (computed != checksum.toStringRef()) {
    return absl::DataLossError(absl::StrCat(path, ": checksum mismatch (stored ", checksum.toStringRef(),
                                            ", contents give ", computed,
                                            "): the file changed after it was written (disk error, partial copy?)"));
  }
  return CheckFinite(path, *names, *tensors);
}

absl::Status LoadV2(const std::string& path, torch::serialize::InputArchive& archive, torch::nn::Module& model,
                    torch::optim::Optimizer* optimizer, TrainingState* state) {
  std::vector<std::string> names;
  c10::List<at::Tensor> tensors;
  std::string optimizer_bytes;
  ArchiveRest rest;
  if (absl::Status s = ReadVerifiedV2(path, archive, &names, &tensors, &optimizer_bytes, &rest); !s.ok()) return s;
  if (absl::Status s = RestoreModel(path, names, tensors, model); !s.ok()) return s;
  if (optimizer != nullptr) {
    if (optimizer_bytes.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": the checkpoint has no optimizer state"));
    }
    LoadOptimizerBytes(optimizer_bytes, *optimizer);
    if (absl::Status s = CheckOptimizerState(path, *optimizer); !s.ok()) return s;
  }
  FillState(rest, state);
  return absl::OkStatus();
}

// The format tag: 1 or 2, or an error for a file of another kind.
absl::StatusOr<int> FormatVersion(const std::string& path, torch::serialize::InputArchive& archive) {
  c10::IValue format;
  if (archive.try_read("format", format) && format.isString()) {
    if (format.toStringRef() == kFormatV2) return 2;
    if (format.toStringRef() == kFormatV1) return 1;
  }
  return absl::InvalidArgumentError(absl::StrCat(path, ": not a zegclip training checkpoint (no '", kFormatV2,
                                                 "' format tag)"));
}

absl::Status LoadArchive(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                         TrainingState* state) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  absl::StatusOr<int> version = FormatVersion(path, archive);
  if (!version.ok()) return version.status();
  return *version == 2 ? LoadV2(path, archive, model, optimizer, state)
                       : LoadV1(path, archive, model, optimizer, state);
}

absl::Status OpenableOrNotFound(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open the checkpoint: ", std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  if (::access(path.c_str(), R_OK) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot read the checkpoint: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckCheckpointContainer(const std::string& path) {
  if (absl::Status s = OpenableOrNotFound(path); !s.ok()) return s;
  const absl::Status zip = base::CheckZipArchive(path);
  if (zip.ok()) return zip;
  if (absl::IsDataLoss(zip)) return absl::DataLossError(absl::StrCat(path, ": ", zip.message()));
  return absl::DataLossError(absl::StrCat(path, ": not a readable checkpoint (corrupt or truncated?): ", zip.message()));
}

std::vector<std::string> NonFiniteTensors(const torch::nn::Module& model, const torch::optim::Optimizer* optimizer) {
  std::vector<std::string> bad;
  auto check = [&bad](const std::string& name, const at::Tensor& t) {
    if (t.defined() && t.is_floating_point() && !at::isfinite(t).all().item<bool>()) bad.push_back(name);
  };
  for (const auto& [name, tensor] : ModelTensors(model)) check(name, tensor);
  if (optimizer == nullptr) return bad;
  for (const OptimizerMoment& m : OptimizerMoments(*optimizer)) check(m.name, m.moment);
  return bad;
}

absl::Status SaveCheckpoint(const std::string& path, const torch::nn::Module& model,
                            const torch::optim::Optimizer* optimizer, const TrainingState& state) {
  const std::vector<std::string> bad = NonFiniteTensors(model, optimizer);
  if (!bad.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": not written: NaN or inf in ", bad.size(), " tensor(s) (", bad.front(),
        bad.size() > 1 ? ", ..." : "", "): the run has diverged, and a diverged state must never become a resume "
        "point"));
  }
  torch::serialize::OutputArchive archive;
  try {
    archive.write("format", c10::IValue(std::string(kFormatV2)));
    ArchiveRest rest;
    rest.iter = state.iter;
    rest.rng_states = state.rng_states;
    for (const auto& [k, v] : state.metadata) {
      rest.keys.push_back(k);
      rest.values.push_back(v);
    }
    std::vector<std::string> names;
    c10::List<at::Tensor> tensors;
    for (const auto& [name, tensor] : ModelTensors(model)) {
      names.push_back(name);
      tensors.push_back(tensor.detach());
    }
    const std::string optimizer_bytes = optimizer != nullptr ? OptimizerBytes(*optimizer) : std::string();
    archive.write("iter", c10::IValue(rest.iter));
    archive.write("model/names", c10::IValue(ToList(names)));
    archive.write("model/tensors", c10::IValue(tensors));
    if (optimizer != nullptr) {
      archive.write("optimizer_bytes", c10::IValue(base::ByteTensorFromString(optimizer_bytes)));
    }
    c10::List<at::Tensor> rng;
    for (const std::string& r : rest.rng_states) rng.push_back(base::ByteTensorFromString(r));
    archive.write("rng", c10::IValue(rng));
    archive.write("metadata/keys", c10::IValue(ToList(rest.keys)));
    archive.write("metadata/values", c10::IValue(ToList(rest.values)));
    archive.write("checksum", c10::IValue(Checksum(names, tensors, optimizer_bytes, rest)));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(path, ": cannot serialise the checkpoint: ", base::ExceptionFirstLine(e)));
  }
  // Streamed into the temporary file: a ViT-B checkpoint with its Adam moments is ~1.7 GB, and a serialised copy in
  // memory beside the tensors would double the trainer's peak for the length of the write.
  return base::WriteFileAtomically(path, [&](std::ostream& out) {
    try {
      archive.save_to(out);
    } catch (const std::exception& e) {
      return absl::InternalError(
          absl::StrCat(path, ": cannot serialise the checkpoint: ", base::ExceptionFirstLine(e)));
    }
    return absl::OkStatus();
  });
}

absl::Status LoadCheckpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                            TrainingState* state) {
  if (absl::Status s = CheckCheckpointContainer(path); !s.ok()) return s;
  try {
    return LoadArchive(path, model, optimizer, state);
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": not a readable checkpoint (corrupt or truncated?): ",
                                            base::ExceptionFirstLine(e)));
  }
}

absl::Status VerifyCheckpoint(const std::string& path) {
  if (absl::Status s = CheckCheckpointContainer(path); !s.ok()) return s;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    absl::StatusOr<int> version = FormatVersion(path, archive);
    if (!version.ok()) return version.status();
    if (*version == 1) {  // no checksum to check
      c10::IValue names, tensors;
      archive.read("model/names", names);
      archive.read("model/tensors", tensors);
      if (absl::Status s = CheckInStorage(path, StringsOf(names), tensors.toTensorList()); !s.ok()) return s;
      return CheckFinite(path, StringsOf(names), tensors.toTensorList());
    }
    std::vector<std::string> names;
    c10::List<at::Tensor> tensors;
    std::string optimizer_bytes;
    ArchiveRest rest;
    return ReadVerifiedV2(path, archive, &names, &tensors, &optimizer_bytes, &rest);
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": not a readable checkpoint (corrupt or truncated?): ",
                                            base::ExceptionFirstLine(e)));
  }
}

}  // namespace zegclip::train
