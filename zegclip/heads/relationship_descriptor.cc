#include "zegclip/heads/relationship_descriptor.h"

#include <torch/nn/init.h>

#include "zegclip/nn/apply_linear.h"

namespace zegclip::heads {

RelationshipDescriptorImpl::RelationshipDescriptorImpl(const RelationshipDescriptorOptions& options)
    : options_(options) {
  TORCH_CHECK(options_.embed_dim > 0, "RelationshipDescriptor: embed_dim must be positive, got ",
              options_.embed_dim);
  q_proj = register_module("q_proj", torch::nn::Linear(2 * options_.embed_dim, options_.embed_dim));
  ResetParameters();
}

void RelationshipDescriptorImpl::ResetParameters() {
  torch::NoGradGuard no_grad;
  q_proj->weight.normal_(0.0, 0.02);
  q_proj->bias.zero_();
}

at::Tensor RelationshipDescriptorImpl::forward(const at::Tensor& global, const at::Tensor& text) {
  const int64_t d = options_.embed_dim;
  TORCH_CHECK(global.dim() == 2 && global.size(1) == d, "RelationshipDescriptor: global must be (B, ", d,
              "), got ", global.sizes());
  TORCH_CHECK(text.dim() == 2 && text.size(1) == d, "RelationshipDescriptor: text must be (C, ", d, "), got ",
              text.sizes());
  const int64_t batch = global.size(0);
  at::Tensor t = TextOnlyQueries(text, batch);     // (B, C, D)
  at::Tensor product = global.unsqueeze(1) * t;    // g ⊙ t_i for every class
  return nn::ApplyLinear(q_proj, at::cat({product, t}, /*dim=*/-1));  // product first, as the authors' get_qs
}

at::Tensor TextOnlyQueries(const at::Tensor& text, int64_t batch) {
  TORCH_CHECK(text.dim() == 2, "TextOnlyQueries: text must be (C, D), got ", text.sizes());
  TORCH_CHECK(batch > 0, "TextOnlyQueries: batch must be positive, got ", batch);
  return text.unsqueeze(0).expand({batch, text.size(0), text.size(1)});
}

}  // namespace zegclip::heads
