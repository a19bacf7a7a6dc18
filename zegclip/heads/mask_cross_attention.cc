#include "zegclip/heads/mask_cross_attention.h"

#include <cmath>

#include "zegclip/nn/apply_linear.h"

namespace zegclip::heads {

MaskCrossAttentionImpl::MaskCrossAttentionImpl(const MaskCrossAttentionOptions& options) : options_(options) {
  TORCH_CHECK(options_.width > 0 && options_.heads > 0 && options_.width % options_.heads == 0,
              "MaskCrossAttention: width (", options_.width, ") must be a positive multiple of heads (",
              options_.heads, ")");
  const int64_t w = options_.width;
  q = register_module("q", torch::nn::Linear(w, w));
  k = register_module("k", torch::nn::Linear(w, w));
  v = register_module("v", torch::nn::Linear(w, w));
  attn_drop = register_module("attn_drop", torch::nn::Dropout(options_.attn_dropout));
  proj = register_module("proj", torch::nn::Linear(w, w));
}

MaskCrossAttentionOutput MaskCrossAttentionImpl::forward(const at::Tensor& query, const at::Tensor& memory) {
  const int64_t w = options_.width;
  const int64_t h = options_.heads;
  TORCH_CHECK(query.dim() == 3 && query.size(2) == w, "MaskCrossAttention: query must be (B, Nq, ", w, "), got ",
              query.sizes());
  TORCH_CHECK(memory.dim() == 3 && memory.size(2) == w && memory.size(0) == query.size(0),
              "MaskCrossAttention: memory must be (", query.size(0), ", Nk, ", w, "), got ", memory.sizes());
  const int64_t b = query.size(0), nq = query.size(1), nk = memory.size(1), hd = w / h;
  // (B, N, w) -> (B, heads, N, head_dim)
  at::Tensor qh = nn::ApplyLinear(q, query).view({b, nq, h, hd}).transpose(1, 2);
  at::Tensor kh = nn::ApplyLinear(k, memory).view({b, nk, h, hd}).transpose(1, 2);
  at::Tensor vh = nn::ApplyLinear(v, memory).view({b, nk, h, hd}).transpose(1, 2);
  // The scores are needed as masks, so the fused attention kernels (which never expose them) are not used.
  at::Tensor scores = at::matmul(qh, kh.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(hd)));
  at::Tensor weights = attn_drop(at::softmax(scores, /*dim=*/-1));
  at::Tensor mixed = at::matmul(weights, vh).transpose(1, 2).reshape({b, nq, w});
  return {nn::ApplyLinear(proj, mixed), scores.mean(/*dim=*/1)};
}

}  // namespace zegclip::heads
