#include "zegclip/distributed/gradient_bucketer.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

namespace zegclip::distributed {

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

// Runs after AccumulateGrad has added this step's gradient into the parameter's .grad.
class GradientBucketer::ReadyHook : public torch::autograd::FunctionPostHook {
 public:
  ReadyHook(GradientBucketer* owner, int index) : owner_(owner), index_(index) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list& /*inputs*/) override {
    owner_->OnGradReady(index_);
    return outputs;
  }

 private:
  GradientBucketer* owner_;
  int index_;
};

GradientBucketer::GradientBucketer(std::vector<at::Tensor> parameters, Communicator* comm, BucketOptions options)
    : parameters_(std::move(parameters)), comm_(comm), options_(options) {
  TORCH_CHECK(comm_ != nullptr, "GradientBucketer: the communicator is null");
  for (const at::Tensor& p : parameters_) {
    TORCH_CHECK(p.defined(), "GradientBucketer: an undefined parameter");
    if (p.requires_grad()) trainable_.push_back(p);
  }
  buckets_ = AssignBuckets(trainable_, options_);
  if (comm_->size() == 1) return;  // nothing to reduce: no buffers, no hooks
  AllocateBuffers();
  if (options_.overlap) InstallHooks();
}

GradientBucketer::~GradientBucketer() {
  for (size_t i = 0; i < hooks_.size(); ++i) accumulators_[i]->del_post_hook(hooks_[i]);
}

void GradientBucketer::AllocateBuffers() {
  at::NoGradGuard no_grad;
  flat_.clear();
  views_.assign(trainable_.size(), at::Tensor());
  bucket_of_.assign(trainable_.size(), -1);
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const Bucket& bucket = buckets_[b];
    flat_.push_back(at::zeros({bucket.numel}, at::TensorOptions().dtype(bucket.dtype).device(bucket.device)));
    for (size_t k = 0; k < bucket.indices.size(); ++k) {
      const int i = bucket.indices[k];
      // detach(): a plain alias, not an autograd view (in-place ops on .grad must not see a view's base).
      views_[i] = flat_[b].narrow(0, bucket.offsets[k], trainable_[i].numel()).view(trainable_[i].sizes()).detach();
      bucket_of_[i] = static_cast<int>(b);
    }
  }
  works_.clear();
  works_.resize(buckets_.size());
  pending_.assign(buckets_.size(), 0);
}

void GradientBucketer::InstallHooks() {
  for (size_t i = 0; i < trainable_.size(); ++i) {
    TORCH_CHECK(trainable_[i].is_leaf(), "GradientBucketer: trainable tensor ", i,
                " is not a leaf (parameters are leaves; was it made from another tensor?)");
    std::shared_ptr<torch::autograd::Node> accumulator = torch::autograd::impl::grad_accumulator(trainable_[i]);
    hooks_.push_back(accumulator->add_post_hook(std::make_unique<ReadyHook>(this, static_cast<int>(i))));
    accumulators_.push_back(std::move(accumulator));
  }
}

void GradientBucketer::BroadcastParameters(int root) { BroadcastTensors(*comm_, parameters_, root); }

void GradientBucketer::ZeroGrad() {
  at::NoGradGuard no_grad;
  if (comm_->size() == 1) {
    for (at::Tensor& p : trainable_) p.mutable_grad().reset();
    return;
  }
  for (std::unique_ptr<CollectiveWork>& work : works_) {  // left in flight by a step that failed mid-backward
    if (work) work->Wait();
    work.reset();
  }
  if (overlap() && !rebuilt_ && armed_steps_ > 0) RebuildBuckets();
  for (at::Tensor& flat : flat_) flat.zero_();
  for (size_t i = 0; i < trainable_.size(); ++i) {
    if (!trainable_[i].grad().is_same(views_[i])) trainable_[i].mutable_grad() = views_[i];
  }
  if (!overlap()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  armed_ = true;
  ready_.assign(trainable_.size(), 0);
  if (!rebuilt_) arrival_.clear();  // recorded afresh until a step completes (one may have failed mid-backward)
  for (size_t b = 0; b < buckets_.size(); ++b) pending_[b] = static_cast<int64_t>(buckets_[b].indices.size());
  next_bucket_ = 0;
}

void GradientBucketer::RebuildBuckets() {
  // Rank 0's order for every rank: ranks may see gradients in different orders, but their buckets must agree.
  std::vector<int> order = arrival_;
  std::vector<char> seen(trainable_.size(), 0);
  for (int i : order) seen[i] = 1;
  for (int i = static_cast<int>(trainable_.size()) - 1; i >= 0; --i) {
    if (!seen[i]) order.push_back(i);  // unused in the first step: DDP's default order, after the rest
  }
  at::Tensor shared = at::tensor(std::vector<int64_t>(order.begin(), order.end()), at::kLong).to(comm_->device());
  comm_->Broadcast(shared, 0);
  shared = shared.cpu();
  order.assign(shared.data_ptr<int64_t>(), shared.data_ptr<int64_t>() + shared.numel());
  std::vector<Bucket> rebuilt = AssignBucketsInOrder(trainable_, order, options_);
  rebuilt_ = true;
  arrival_.clear();
  const bool same = rebuilt.size() == buckets_.size() &&
                    std::equal(rebuilt.begin(), rebuilt.end(), buckets_.begin(),
                               [](const Bucket& a, const Bucket& b) { return a.indices == b.indices; });
  if (same) return;
  buckets_ = std::move(rebuilt);
  AllocateBuffers();
}

void GradientBucketer::OnGradReady(int index) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!armed_) return;  // a backward outside a step (between AllReduceGradients and ZeroGrad): not ours to reduce
  TORCH_CHECK(!ready_[index], "GradientBucketer: trainable tensor ", index, " ", trainable_[index].sizes(),
              " received a second gradient in one step. Overlapped allreduce starts a bucket as soon as its "
              "gradients arrive, so it needs one backward per step; set distributed.overlap_allreduce: false to "
              "accumulate gradients over several backward passes");
  ready_[index] = 1;
  if (!rebuilt_) arrival_.push_back(index);
  if (--pending_[bucket_of_[index]] > 0) return;
  // Buckets start in index order on every rank, so the collectives line up even if gradients arrive differently.
  while (next_bucket_ < buckets_.size() && pending_[next_bucket_] == 0) StartBucket(next_bucket_++);
}

void GradientBucketer::StartBucket(size_t b) {
  at::NoGradGuard no_grad;
  const Bucket& bucket = buckets_[b];
  for (int i : bucket.indices) {
    at::Tensor& grad = trainable_[i].mutable_grad();
    if (grad.is_same(views_[i])) continue;
    if (grad.defined()) {  // replaced since ZeroGrad (or ZeroGrad was not called): copied in once
      TORCH_CHECK(!grad.is_sparse(), "GradientBucketer: sparse gradients are not supported");
      views_[i].copy_(grad);
    } else {
      views_[i].zero_();  // unused this step: a zero contribution
    }
    grad = views_[i];
  }
  // Divided before the sum, as DDP does: the division overlaps with backward too.
  flat_[b].div_(comm_->size());
  works_[b] = comm_->StartAllReduceSum(flat_[b]);
}

void GradientBucketer::AllReduceGradients() {
  at::NoGradGuard no_grad;
  if (comm_->size() == 1) {  // nothing to average: only give unused parameters their zero gradient
    for (at::Tensor& p : trainable_) {
      if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    }
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (armed_) ++armed_steps_;
    armed_ = false;
    last_started_in_backward_ = static_cast<int>(next_bucket_);
    while (next_bucket_ < buckets_.size()) StartBucket(next_bucket_++);
    next_bucket_ = 0;
  }
  for (std::unique_ptr<CollectiveWork>& work : works_) {
    work->Wait();
    work.reset();
  }
  last_wait_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace zegclip::distributed
