#include "zegclip/clip/positional_embedding.h"

#include <cmath>
#include <vector>

#include <torch/nn/functional/upsampling.h>

namespace zegclip::clip {

int64_t PositionalGridSide(const at::Tensor& positional_embedding) {
  TORCH_CHECK(positional_embedding.dim() == 2 && positional_embedding.size(0) >= 2,
              "positional embedding: expected (1 + g*g, width), got ", positional_embedding.sizes());
  const int64_t cells = positional_embedding.size(0) - 1;
  const auto side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(cells))));
  TORCH_CHECK(side * side == cells, "positional embedding: ", cells, " grid rows do not form a square grid");
  return side;
}

at::Tensor ResizePositionalEmbedding(const at::Tensor& positional_embedding, int64_t grid_h, int64_t grid_w) {
  TORCH_CHECK(grid_h > 0 && grid_w > 0, "positional embedding: target grid must be positive, got ", grid_h, "x",
              grid_w);
  const int64_t side = PositionalGridSide(positional_embedding);
  if (side == grid_h && side == grid_w) return positional_embedding;
  const int64_t width = positional_embedding.size(1);
  at::Tensor cls = positional_embedding.narrow(0, 0, 1);
  // Rows are the grid in row-major order (as conv1's output is flattened): (g·g, W) -> (1, W, g, g).
  at::Tensor grid = positional_embedding.narrow(0, 1, side * side).reshape({1, side, side, width}).permute(
      {0, 3, 1, 2});
  namespace F = torch::nn::functional;
  at::Tensor resized = F::interpolate(grid, F::InterpolateFuncOptions()
                                                .size(std::vector<int64_t>{grid_h, grid_w})
                                                .mode(torch::kBilinear)
                                                .align_corners(false));
  resized = resized.permute({0, 2, 3, 1}).reshape({grid_h * grid_w, width});
  return at::cat({cls, resized}, 0);
}

at::Tensor ResizedPositionalEmbeddingCache::Get(const at::Tensor& positional_embedding, int64_t grid_h,
                                                int64_t grid_w) {
  const int64_t side = PositionalGridSide(positional_embedding);
  if (side == grid_h && side == grid_w) return positional_embedding;
  if (positional_embedding.requires_grad() && at::GradMode::is_enabled()) {
    // The result must be part of this step's graph; a cached copy would be stale after the next update anyway.
    entries_.clear();
    return ResizePositionalEmbedding(positional_embedding, grid_h, grid_w);
  }
  Entry& entry = entries_[{grid_h, grid_w}];
  if (entry.resized.defined() && entry.data == positional_embedding.data_ptr() &&
      entry.version == positional_embedding._version() && entry.device == positional_embedding.device() &&
      entry.dtype == positional_embedding.scalar_type()) {
    return entry.resized;
  }
  at::NoGradGuard no_grad;
  entry.resized = ResizePositionalEmbedding(positional_embedding, grid_h, grid_w);
  entry.data = positional_embedding.data_ptr();
  entry.version = positional_embedding._version();
  entry.device = positional_embedding.device();
  entry.dtype = positional_embedding.scalar_type();
  return entry.resized;
}

}  // namespace zegclip::clip
