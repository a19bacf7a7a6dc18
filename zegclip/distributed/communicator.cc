#include "zegclip/distributed/communicator.h"

#include <algorithm>
#include <cstring>

namespace zegclip::distributed {

void CheckCollectiveInput(const at::Tensor& tensor, const char* call) {
  TORCH_CHECK(tensor.defined(), call, ": the tensor is undefined");
  TORCH_CHECK(tensor.is_contiguous(), call, ": the tensor must be contiguous (got strides ", tensor.strides(), ")");
}

std::string Communicator::RankTag() const {
  return "[rank " + std::to_string(rank()) + "/" + std::to_string(size()) + "]";
}

std::vector<double> Communicator::AllReduceSum(const std::vector<double>& values) {
  if (values.empty()) return {};
  at::Tensor t = at::tensor(at::ArrayRef<double>(values), at::TensorOptions().dtype(at::kDouble)).to(device());
  AllReduceSum(t);
  t = t.cpu();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

std::vector<double> Communicator::AllReduceMean(const std::vector<double>& values) {
  std::vector<double> sums = AllReduceSum(values);
  for (double& v : sums) v /= size();
  return sums;
}

double Communicator::AllReduceSum(double value) { return AllReduceSum(std::vector<double>{value})[0]; }

double Communicator::AllReduceMean(double value) { return AllReduceSum(value) / size(); }

double Communicator::Broadcast(double value) {
  at::Tensor t = at::full({1}, value, at::TensorOptions().dtype(at::kDouble)).to(device());
  Broadcast(t, 0);
  return t.cpu().item<double>();
}

std::vector<std::string> Communicator::AllGather(const std::string& bytes) {
  const int n = size();
  // Lengths first (one slot per rank, the others zero, so the sum is a gather), then the bytes the same way.
  at::Tensor lengths = at::zeros({n}, at::TensorOptions().dtype(at::kLong));
  lengths[rank()] = static_cast<int64_t>(bytes.size());
  lengths = lengths.to(device());
  AllReduceSum(lengths);
  lengths = lengths.cpu();
  const int64_t* len = lengths.data_ptr<int64_t>();
  const int64_t max_len = std::max<int64_t>(1, *std::max_element(len, len + n));

  at::Tensor table = at::zeros({n, max_len}, at::TensorOptions().dtype(at::kByte));
  if (!bytes.empty()) std::memcpy(table[rank()].data_ptr<uint8_t>(), bytes.data(), bytes.size());
  table = table.to(device());
  AllReduceSum(table);
  table = table.cpu();

  std::vector<std::string> out(n);
  for (int r = 0; r < n; ++r) {
    out[r].assign(reinterpret_cast<const char*>(table[r].data_ptr<uint8_t>()), static_cast<size_t>(len[r]));
  }
  return out;
}

}  // namespace zegclip::distributed
