// The relationship descriptor (RD, ZegCLIP design 3): turns each class's text embedding into a decoder query that
// also knows the image, q_i = W [g ⊙ t_i ; t_i] + b with W: 2D → D. TextOnlyQueries is the "without RD" ablation.
//
// Example:
//   RelationshipDescriptor rd(RelationshipDescriptorOptions{512});
//   at::Tensor queries = rd(global, text);        // (B,512), (C,512) -> (B,C,512)
//   at::Tensor plain = TextOnlyQueries(text, 4);  // (4,C,512)
#ifndef ZEGCLIP_HEADS_RELATIONSHIP_DESCRIPTOR_H_
#define ZEGCLIP_HEADS_RELATIONSHIP_DESCRIPTOR_H_

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace zegclip::heads {

struct RelationshipDescriptorOptions {
  int64_t embed_dim = 512;  // D: the joint CLIP embedding width
};

class RelationshipDescriptorImpl : public torch::nn::Module {
 public:
  explicit RelationshipDescriptorImpl(const RelationshipDescriptorOptions& options);

  // global: (B, D) image embedding; text: (C, D) class embeddings. Returns (B, C, D).
  at::Tensor forward(const at::Tensor& global, const at::Tensor& text);

  // Normal(0, 0.02) weight and zero bias, as the authors' head init (timm's trunc_normal_ with bounds ±2 = ±100σ
  // is a plain normal in practice).
  void ResetParameters();

  const RelationshipDescriptorOptions& options() const { return options_; }
  // Named "q_proj" like the authors' decode_head.q_proj, so weights import name for name.
  torch::nn::Linear q_proj{nullptr};

 private:
  RelationshipDescriptorOptions options_;
};
TORCH_MODULE(RelationshipDescriptor);

// The query without RD: the text embeddings themselves, shared by every image. text (C, D) -> (B, C, D) (a view).
at::Tensor TextOnlyQueries(const at::Tensor& text, int64_t batch);

}  // namespace zegclip::heads

#endif  // ZEGCLIP_HEADS_RELATIONSHIP_DESCRIPTOR_H_
