// Bilinear resizing of a ViT positional embedding to another patch grid, the way the ZegCLIP authors do it:
// the class position (row 0) is kept, the (g·g) grid rows are resized as an image with align_corners=false.
// Plus a small cache so frozen encoders do not resize on every forward.
//
// Example:
//   at::Tensor pos = visual->positional_embedding;              // (1 + 14·14, 768)
//   at::Tensor pos32 = ResizePositionalEmbedding(pos, 32, 32);   // (1 + 32·32, 768)
#ifndef ZEGCLIP_CLIP_POSITIONAL_EMBEDDING_H_
#define ZEGCLIP_CLIP_POSITIONAL_EMBEDDING_H_

#include <cstdint>
#include <map>
#include <utility>

#include <ATen/ATen.h>

namespace zegclip::clip {

// The side of the square grid of a (1 + g·g, width) positional embedding; TORCH_CHECKs that it is square.
int64_t PositionalGridSide(const at::Tensor& positional_embedding);

// (1 + g·g, W) -> (1 + grid_h·grid_w, W). Returns the input itself (no copy) when the grid already matches.
// Differentiable: gradients flow back to the native-grid embedding.
at::Tensor ResizePositionalEmbedding(const at::Tensor& positional_embedding, int64_t grid_h, int64_t grid_w);

// Caches resized embeddings per grid size. An entry is reused only while the source tensor is the same storage at
// the same version (any in-place update, e.g. an optimizer step or a checkpoint load, bumps the version), on the
// same device and dtype. When the result must carry a gradient (source requires grad and grad mode is on) nothing
// is cached. Not thread-safe: one cache per module instance.
class ResizedPositionalEmbeddingCache {
 public:
  at::Tensor Get(const at::Tensor& positional_embedding, int64_t grid_h, int64_t grid_w);
  void Clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    const void* data = nullptr;
    int64_t version = -1;
    at::Device device = at::kCPU;
    at::ScalarType dtype = at::kFloat;
    at::Tensor resized;
  };
  std::map<std::pair<int64_t, int64_t>, Entry> entries_;
};

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_POSITIONAL_EMBEDDING_H_
