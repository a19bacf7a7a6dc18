#include "zegclip/nn/quick_gelu.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <cstdint>
#include <cstring>

namespace zegclip::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr double kScale = 1.702;
constexpr int64_t kGrain = 1 << 15;

// dx = g · (s + 1.702 · x · s · (1 - s)) with s = σ(1.702 x), the forward's saved sigmoid, in T's arithmetic.
template <typename T>
T GradOf(T g, T x, T s) {
  return g * s * (T(1) + T(kScale) * x * (T(1) - s));
}

// bf16 <-> float by bit operations, branch-free so the loop vectorises (c10::BFloat16's conversion has a branch):
// widening is exact; narrowing rounds to nearest even and keeps NaN a NaN.
float WidenBf16(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

uint16_t NarrowToBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const uint16_t rounded = static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
  return f != f ? uint16_t{0x7FC0} : rounded;
}

template <typename T>
void QuickGeluGrad(const T* g, const T* x, const T* s, T* dx, int64_t n) {
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) dx[i] = GradOf(g[i], x[i], s[i]);
  });
}

// bf16 tensors: computed in float, rounded once.
void QuickGeluGrad(const c10::BFloat16* g, const c10::BFloat16* x, const c10::BFloat16* s, c10::BFloat16* dx,
                   int64_t n) {
  const auto* gb = reinterpret_cast<const uint16_t*>(g);
  const auto* xb = reinterpret_cast<const uint16_t*>(x);
  const auto* sb = reinterpret_cast<const uint16_t*>(s);
  auto* dxb = reinterpret_cast<uint16_t*>(dx);
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      dxb[i] = NarrowToBf16(GradOf(WidenBf16(gb[i]), WidenBf16(xb[i]), WidenBf16(sb[i])));
    }
  });
}

class FusedQuickGelu : public torch::autograd::Function<FusedQuickGelu> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x) {
    at::Tensor s = at::mul(x, kScale);
    s.sigmoid_();
    ctx->save_for_backward({x, s});
    return at::mul(x, s);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    // The loop below is invisible to autograd: a second derivative through it would be silently zero.
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "QuickGelu: the fused CPU backward is not twice differentiable; use ComposedQuickGelu");
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor x = saved[0].contiguous();
    const at::Tensor s = saved[1].contiguous();
    const at::Tensor g = grad_output[0].to(x.scalar_type()).contiguous();
    at::Tensor dx = at::empty_like(x);
    AT_DISPATCH_FLOATING_TYPES_AND(at::kBFloat16, x.scalar_type(), "QuickGeluGrad", [&] {
      QuickGeluGrad(g.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(), s.data_ptr<scalar_t>(), dx.data_ptr<scalar_t>(),
                    x.numel());
    });
    return {dx};
  }
};

bool Fusable(const at::Tensor& x) {
  const at::ScalarType t = x.scalar_type();
  return x.device().is_cpu() && (t == at::kFloat || t == at::kBFloat16 || t == at::kDouble);
}

}  // namespace

at::Tensor ComposedQuickGelu(const at::Tensor& x) { return x * at::sigmoid(kScale * x); }

at::Tensor QuickGelu(const at::Tensor& x) {
  // Without autograd there is no backward to fuse, and the composed forward is the same work.
  if (!Fusable(x) || !x.requires_grad() || !at::GradMode::is_enabled()) return ComposedQuickGelu(x);
  return FusedQuickGelu::apply(x);
}

}  // namespace zegclip::nn
