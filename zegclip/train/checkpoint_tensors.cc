#include "zegclip/train/checkpoint_tensors.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <sstream>

#include <torch/serialize/input-archive.h>

#include "absl/strings/str_cat.h"
#include "zegclip/base/exception_text.h"
#include "zegclip/base/tensor_bounds.h"
#include "zegclip/train/checkpoint.h"

namespace zegclip::train {
namespace {

std::string ShapeString(const at::Tensor& t) {
  std::ostringstream out;
  out << t.sizes() << " " << t.scalar_type();
  return out.str();
}

absl::StatusOr<NamedTensors> ReadArchive(const std::string& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  c10::IValue format, names_value, tensors_value;
  if (!archive.try_read("format", format) || !format.isString() ||
      format.toStringRef().rfind("zegclip-checkpoint-", 0) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a zegclip training checkpoint (no format tag)"));
  }
  if (!archive.try_read("model/names", names_value) || !archive.try_read("model/tensors", tensors_value)) {
    return absl::DataLossError(absl::StrCat(path, ": the checkpoint has no model/names or model/tensors"));
  }
  const c10::List<c10::IValue> names = names_value.toList();
  const c10::List<at::Tensor> tensors = tensors_value.toTensorList();
  if (names.size() != tensors.size()) {
    return absl::DataLossError(absl::StrCat(path, ": ", names.size(), " model names but ", tensors.size(), " tensors"));
  }
  NamedTensors out;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string name = names.get(i).toStringRef();
    if (absl::Status s = base::CheckTensorInStorage(tensors.get(i), absl::StrCat(path, ": tensor '", name, "'"));
        !s.ok()) {
      return s;
    }
    out[name] = tensors.get(i);
  }
  return out;
}

}  // namespace

absl::StatusOr<NamedTensors> ReadCheckpointTensors(const std::string& path) {
  if (absl::Status s = CheckCheckpointContainer(path); !s.ok()) return s;
  try {
    return ReadArchive(path);
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": not a readable checkpoint (corrupt or truncated?): ",
                                            base::ExceptionFirstLine(e)));
  }
}

absl::StatusOr<TensorDifference> CompareTensors(const NamedTensors& a, const NamedTensors& b) {
  for (const auto& [name, tensor] : b) {
    if (a.count(name) == 0) return absl::InvalidArgumentError(absl::StrCat("tensor '", name, "' is only in the second set"));
  }
  TensorDifference d;
  for (const auto& [name, ta] : a) {
    auto it = b.find(name);
    if (it == b.end()) return absl::InvalidArgumentError(absl::StrCat("tensor '", name, "' is only in the first set"));
    const at::Tensor& tb = it->second;
    if (!ta.sizes().equals(tb.sizes()) || ta.scalar_type() != tb.scalar_type()) {
      return absl::InvalidArgumentError(absl::StrCat("tensor '", name, "' is ", ShapeString(ta), " vs ",
                                                     ShapeString(tb)));
    }
    if (ta.numel() == 0) continue;
    const at::Tensor x = ta.to(at::kCPU).to(at::kDouble), y = tb.to(at::kCPU).to(at::kDouble);
    const at::Tensor both_nan = x.isnan().logical_and(y.isnan());
    d.differing_elements += x.ne(y).logical_and(both_nan.logical_not()).sum().item<int64_t>();
    const double abs_diff = (x - y).abs().masked_fill(both_nan, 0).max().item<double>();
    const double scale = std::max(x.abs().max().item<double>(), y.abs().max().item<double>());
    const double rel = abs_diff == 0 ? 0.0 : (scale > 0 ? abs_diff / scale : abs_diff);
    // A NaN on one side only makes the difference NaN, and NaN must win every later comparison.
    if (std::isnan(abs_diff) || abs_diff > d.max_absolute) d.max_absolute = abs_diff;
    if (std::isnan(d.max_relative)) continue;
    if (std::isnan(rel) || rel > d.max_relative) {
      d.max_relative = rel;
      d.worst_tensor = name;
    }
  }
  return d;
}

}  // namespace zegclip::train
