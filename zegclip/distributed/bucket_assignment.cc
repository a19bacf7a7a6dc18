#include "zegclip/distributed/bucket_assignment.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

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

std::vector<Bucket> AssignBucketsInOrder(const std::vector<at::Tensor>& tensors, const std::vector<int>& order,
                                         const BucketOptions& options) {
  TORCH_CHECK(order.size() == tensors.size(), "AssignBucketsInOrder: the order names ", order.size(),
              " tensors, expected ", tensors.size());
  std::vector<char> seen(tensors.size(), 0);
  // AssignBuckets walks from the back: hand it the tensors with the first to arrive last.
  std::vector<at::Tensor> reversed;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    TORCH_CHECK(*it >= 0 && *it < static_cast<int>(tensors.size()) && !seen[*it],
                "AssignBucketsInOrder: the order is not a permutation of 0..", tensors.size() - 1);
    seen[*it] = 1;
    reversed.push_back(tensors[*it]);
  }
  std::vector<Bucket> buckets = AssignBuckets(reversed, options);
  const int n = static_cast<int>(order.size());
  for (Bucket& b : buckets) {
    for (int& index : b.indices) index = order[n - 1 - index];
  }
  return buckets;
}

}  // namespace zegclip::distributed
