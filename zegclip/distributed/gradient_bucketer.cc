#include "zegclip/distributed/gradient_bucketer.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include <ATen/core/grad_mode.h>

namespace zegclip::distributed {
namespace {

// Buckets hold one dtype on one device: the flat buffer is one tensor.
using BucketKey = std::pair<int, std::string>;

BucketKey KeyOf(const at::Tensor& t) { return {static_cast<int>(t.scalar_type()), t.device().str()}; }

struct OpenBucket {
  Bucket bucket;
  int64_t bytes = 0;
  int closed_before = 0;  // buckets of this key already closed: picks the size limit
  int open_order = 0;
};

}  // namespace

std::vector<Bucket> AssignBuckets(const std::vector<at::Tensor>& tensors, const BucketOptions& options) {
  std::vector<Bucket> closed;
  std::map<BucketKey, OpenBucket> open;
  int next_open_order = 0;
  for (int i = static_cast<int>(tensors.size()) - 1; i >= 0; --i) {
    const at::Tensor& t = tensors[i];
    auto [it, inserted] = open.try_emplace(KeyOf(t));
    OpenBucket& ob = it->second;
    if (ob.bucket.indices.empty()) {
      ob.bucket.dtype = t.scalar_type();
      ob.bucket.device = t.device();
      if (inserted) ob.open_order = next_open_order++;
    }
    ob.bucket.indices.push_back(i);
    ob.bucket.offsets.push_back(ob.bucket.numel);
    ob.bucket.numel += t.numel();
    ob.bytes += t.numel() * static_cast<int64_t>(t.element_size());
    const int64_t limit = ob.closed_before == 0 ? options.first_bucket_bytes : options.bucket_bytes;
    if (ob.bytes >= limit) {
      closed.push_back(std::move(ob.bucket));
      ob.bucket = Bucket{};
      ob.bytes = 0;
      ++ob.closed_before;
    }
  }
  // Partly filled buckets last, in the order their kinds first appeared.
  std::vector<std::pair<int, Bucket*>> rest;
  for (auto& [key, ob] : open) {
    if (!ob.bucket.indices.empty()) rest.emplace_back(ob.open_order, &ob.bucket);
  }
  std::sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, bucket] : rest) closed.push_back(std::move(*bucket));
  return closed;
}

void BroadcastTensors(Communicator& comm, const std::vector<at::Tensor>& tensors, int root) {
  at::NoGradGuard no_grad;  // parameters are leaves that require grad: in-place writes need grad mode off
  for (const at::Tensor& t : tensors) {
    if (!t.defined() || t.numel() == 0) continue;
    if (t.is_contiguous()) {
      at::Tensor view = t;
      comm.Broadcast(view, root);
    } else {
      at::Tensor packed = t.contiguous();
      comm.Broadcast(packed, root);
      at::Tensor target = t;
      target.copy_(packed);
    }
  }
}

GradientBucketer::GradientBucketer(std::vector<at::Tensor> parameters, Communicator* comm, BucketOptions options)
    : parameters_(std::move(parameters)), comm_(comm) {
  TORCH_CHECK(comm_ != nullptr, "GradientBucketer: the communicator is null");
  for (const at::Tensor& p : parameters_) {
    TORCH_CHECK(p.defined(), "GradientBucketer: an undefined parameter");
    if (p.requires_grad()) trainable_.push_back(p);
  }
  buckets_ = AssignBuckets(trainable_, options);
  for (const Bucket& b : buckets_) {
    flat_.push_back(at::zeros({b.numel}, at::TensorOptions().dtype(b.dtype).device(b.device)));
  }
}

void GradientBucketer::BroadcastParameters(int root) { BroadcastTensors(*comm_, parameters_, root); }

void GradientBucketer::AllReduceGradients() {
  at::NoGradGuard no_grad;
  const int world = comm_->size();
  if (world == 1) {  // nothing to average: only give unused parameters their zero gradient
    for (at::Tensor& p : trainable_) {
      if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    }
    return;
  }
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const Bucket& bucket = buckets_[b];
    at::Tensor& flat = flat_[b];
    for (size_t k = 0; k < bucket.indices.size(); ++k) {
      at::Tensor& p = trainable_[bucket.indices[k]];
      if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
      const at::Tensor& g = p.grad();
      TORCH_CHECK(!g.is_sparse(), "GradientBucketer: sparse gradients are not supported");
      flat.narrow(0, bucket.offsets[k], p.numel()).view(p.sizes()).copy_(g);
    }
    comm_->AllReduceSum(flat);
    flat.div_(world);
    for (size_t k = 0; k < bucket.indices.size(); ++k) {
      at::Tensor& p = trainable_[bucket.indices[k]];
      p.mutable_grad().copy_(flat.narrow(0, bucket.offsets[k], p.numel()).view(p.sizes()));
    }
  }
}

}  // namespace zegclip::distributed
