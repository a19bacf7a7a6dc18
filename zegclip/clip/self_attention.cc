#include "zegclip/clip/self_attention.h"

#include <cmath>
#include <limits>
#include <vector>

#include <torch/nn/init.h>
#include <torch/version.h>

#include "zegclip/nn/apply_linear.h"

namespace zegclip::clip {

SelfAttentionImpl::SelfAttentionImpl(const SelfAttentionOptions& options) : options_(options) {
  TORCH_CHECK(options.width > 0 && options.heads > 0 && options.width % options.heads == 0,
              "SelfAttention: width (", options.width, ") must be a positive multiple of heads (", options.heads,
              ")");
  const int64_t w = options.width;
  in_proj_weight = register_parameter("in_proj_weight", at::empty({3 * w, w}));
  in_proj_bias = register_parameter("in_proj_bias", at::empty({3 * w}));
  out_proj = register_module("out_proj", torch::nn::Linear(w, w));
  // torch.nn.MultiheadAttention's own initialisation (OpenAI's image tower keeps it).
  at::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(in_proj_weight);
  in_proj_bias.zero_();
  out_proj->bias.zero_();
}

bool SelfAttentionImpl::FusedKernelAvailable() {
#if TORCH_VERSION_MAJOR >= 2
  return true;
#else
  return false;
#endif
}

at::Tensor SelfAttentionImpl::ExplicitAttention(const at::Tensor& q, const at::Tensor& k,
                                                const at::Tensor& v) const {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  at::Tensor scores = at::matmul(q * scale, k.transpose(-2, -1));  // (B, heads, L, L)
  if (options_.causal) {
    const int64_t length = q.size(-2);
    at::Tensor mask =
        at::full({length, length}, -std::numeric_limits<double>::infinity(), scores.options()).triu(1);
    scores = scores + mask;
  }
  return at::matmul(at::softmax(scores, -1), v);
}

at::Tensor SelfAttentionImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 3 && x.size(2) == options_.width, "SelfAttention: expected (B, L, ", options_.width,
              "), got ", x.sizes());
  const int64_t batch = x.size(0);
  const int64_t length = x.size(1);
  const int64_t heads = options_.heads;
  const int64_t head_dim = options_.width / heads;
  std::vector<at::Tensor> qkv = at::linear(x, in_proj_weight, in_proj_bias).chunk(3, -1);
  auto split_heads = [&](const at::Tensor& t) {
    return t.reshape({batch, length, heads, head_dim}).transpose(1, 2);
  };
  at::Tensor q = split_heads(qkv[0]);
  at::Tensor k = split_heads(qkv[1]);
  at::Tensor v = split_heads(qkv[2]);
  at::Tensor out;
#if TORCH_VERSION_MAJOR >= 2
  if (options_.fused) {
    out = at::scaled_dot_product_attention(q, k, v, /*attn_mask=*/{}, /*dropout_p=*/0.0,
                                           /*is_causal=*/options_.causal);
  } else {
    out = ExplicitAttention(q, k, v);
  }
#else
  out = ExplicitAttention(q, k, v);
#endif
  return nn::ApplyLinear(out_proj, out.transpose(1, 2).reshape({batch, length, options_.width}));
}

}  // namespace zegclip::clip
