#include "zegclip/losses/fused_nel_loss.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "zegclip/losses/mask_targets.h"

namespace zegclip::losses {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// sigmoid(x), 1 - sigmoid(x), softplus(-x) = -log p and softplus(x) = -log(1 - p), each without cancellation, from
// e = exp(-|x|) and l = log1p(e). Those two come from ATen's vectorised kernels (Sleef): computed here with the
// scalar libm calls, the loss ran at 2x the composed version's time on 2 cores instead of a fraction of it. Selects,
// not branches, so the loops below vectorise.
struct Logit {
  float p, q, neg_log_p, neg_log_q;
};

inline Logit LogitOf(float x, float e, float l) {
  const float inv = 1.0f / (1.0f + e), e_inv = e * inv;
  const bool positive = x >= 0;
  return {positive ? inv : e_inv, positive ? e_inv : inv, positive ? l : l - x, positive ? x + l : l};
}

// The focal term's elementwise weights and (1 - p_t)^gamma, with gamma 0, 1 and 2 (the default) as products so
// the loops vectorise; any other gamma (kGamma = -1) calls pow.
struct Focal {
  float alpha_pos = 1, alpha_neg = 1, gamma = 2;
};

template <int kGamma>
float Pow(float v, float gamma) {
  if constexpr (kGamma == 2) return v * v;
  if constexpr (kGamma == 1) return v;
  if constexpr (kGamma == 0) return 1;
  return std::pow(v, gamma);
}

// The sigmoid focal loss of one logit with target t (binary_cross_entropy_with_logits · (1 - p_t)^gamma · alpha_t).
// t is 0 or 1: both sides are computed and one is selected, which vectorises where a branch would not (a blend,
// t·a + (1-t)·b, would turn an infinite unused side into NaN).
template <int kGamma>
float FocalLoss(const Focal& f, Logit l, float t) {
  const float positive = f.alpha_pos * Pow<kGamma>(l.q, f.gamma) * l.neg_log_p;
  const float negative = f.alpha_neg * Pow<kGamma>(l.p, f.gamma) * l.neg_log_q;
  return t > 0 ? positive : negative;
}

// Its derivative in the logit: t = 1: -alpha (1-p)^g (g p ce + 1 - p); t = 0: (1-alpha) p^g (g (1-p) ce + p).
template <int kGamma>
float FocalGrad(const Focal& f, Logit l, float t) {
  const float positive = -f.alpha_pos * Pow<kGamma>(l.q, f.gamma) * (f.gamma * l.p * l.neg_log_p + l.q);
  const float negative = f.alpha_neg * Pow<kGamma>(l.p, f.gamma) * (f.gamma * l.q * l.neg_log_q + l.p);
  return t > 0 ? positive : negative;
}

// Calls body(std::integral_constant<int, kGamma>) with the gamma the loops are specialised for.
template <typename Body>
void DispatchGamma(float gamma, const Body& body) {
  if (gamma == 2) return body(std::integral_constant<int, 2>());
  if (gamma == 1) return body(std::integral_constant<int, 1>());
  if (gamma == 0) return body(std::integral_constant<int, 0>());
  body(std::integral_constant<int, -1>());
}

Focal FocalOf(const NelLossOptions& o) {
  Focal f;
  if (o.alpha >= 0) f.alpha_pos = static_cast<float>(o.alpha), f.alpha_neg = static_cast<float>(1 - o.alpha);
  f.gamma = static_cast<float>(o.gamma);
  return f;
}

// Per (image, class) plane: the focal sum over the pixels that count, and the dice sums Σ p·t, Σ p, Σ t.
enum Sum { kFocal = 0, kPT, kP, kT, kSums };

struct Shape {
  int64_t batch, classes, pixels;
};

constexpr int64_t kIgnore = kIgnoreIndex;

// x, e = exp(-|x|), l = log1p(e): the logits and their two transcendental terms, all (B, C, H, W).
struct LogitTerms {
  const float* x;
  const float* e;
  const float* l;
};

// Pixels are summed in kLanes float accumulators per sum (written so the compiler maps them onto vector registers:
// a plain float reduction would not vectorise without reassociation), and every kBlock pixels into the plane's
// double sums: float sums of a few hundred terms keep ~1e-6 relative error, and the double totals keep it from
// growing with the image.
constexpr int64_t kLanes = 8;
constexpr int64_t kBlock = 512;

// One pixel's contributions to the four sums.
template <int kGamma>
struct PixelSums {
  float focal, pt, p, t;
  PixelSums(const Focal& focal_options, float x, float e, float log1p_e, int32_t label, int32_t left_out,
            int32_t target_label) {
    const Logit l = LogitOf(x, e, log1p_e);
    const bool counted = label != left_out;
    t = label == target_label ? 1.0f : 0.0f;  // a target pixel is never left out
    focal = counted ? FocalLoss<kGamma>(focal_options, l, t) : 0.0f;
    p = counted ? l.p : 0.0f;
    pt = t > 0 ? l.p : 0.0f;
  }
};

// The four sums of one plane: n pixels from x, e, l with their labels; class c is the target.
template <int kGamma>
void PlaneSumsOf(LogitTerms in, const int64_t* labels, int64_t n, int64_t c, const Focal& focal, bool mask_ignored,
                 double* out) {
  // Labels compared as int32 (they are checked to be < 256): SSE2 has no 64-bit compare, and the loop would not
  // vectorise. -1 is never a label (CheckLabels).
  const int32_t left_out = mask_ignored ? kIgnore : -1, target_label = static_cast<int32_t>(c);
  const float *x = in.x, *e = in.e, *log1p_e = in.l;
  double total[kSums] = {0, 0, 0, 0};
  for (int64_t begin = 0; begin < n; begin += kBlock) {
    const int64_t end = std::min(n, begin + kBlock);
    float lanes[kSums][kLanes] = {};
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) {
      for (int64_t k = 0; k < kLanes; ++k) {
        const PixelSums<kGamma> px(focal, x[i + k], e[i + k], log1p_e[i + k], static_cast<int32_t>(labels[i + k]),
                                   left_out, target_label);
        lanes[kFocal][k] += px.focal, lanes[kPT][k] += px.pt, lanes[kP][k] += px.p, lanes[kT][k] += px.t;
      }
    }
    for (int64_t k = 0; i < end; ++i, ++k) {
      const PixelSums<kGamma> px(focal, x[i], e[i], log1p_e[i], static_cast<int32_t>(labels[i]), left_out,
                                 target_label);
      lanes[kFocal][k] += px.focal, lanes[kPT][k] += px.pt, lanes[kP][k] += px.p, lanes[kT][k] += px.t;
    }
    for (int sum = 0; sum < kSums; ++sum) {
      for (int64_t k = 0; k < kLanes; ++k) total[sum] += lanes[sum][k];
    }
  }
  for (int sum = 0; sum < kSums; ++sum) out[sum] = total[sum];
}

// One pass over the logits: the four sums of every plane, as a (B·C, 4) double tensor.
at::Tensor PlaneSums(LogitTerms in, const int64_t* labels, Shape s, const Focal& focal, bool mask_ignored) {
  at::Tensor sums = at::zeros({s.batch * s.classes, kSums}, at::kDouble);
  double* out = sums.data_ptr<double>();
  at::parallel_for(0, s.batch * s.classes, 1, [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      const int64_t offset = plane * s.pixels;
      const LogitTerms at_plane{in.x + offset, in.e + offset, in.l + offset};
      const int64_t* plane_labels = labels + (plane / s.classes) * s.pixels;
      DispatchGamma(focal.gamma, [&](auto gamma) {
        PlaneSumsOf<decltype(gamma)::value>(at_plane, plane_labels, s.pixels, plane % s.classes, focal, mask_ignored,
                                            out + plane * kSums);
      });
    }
  });
  return sums;
}

// The backward's per-plane constants: the focal mean's scale and the dice derivative's two parts.
struct PlaneGrad {
  float focal_scale = 0, dice_base = 0, dice_target = 0;
};

// The gradient of one plane's n logits; ignored pixels (when left out) get 0.
template <int kGamma>
void PlaneGradOf(LogitTerms in, const int64_t* labels, int64_t n, int64_t c, const Focal& focal, const PlaneGrad& g,
                 bool mask_ignored, float* grad) {
  // Locals, not loads through the arguments: the stores to grad could alias those, and the loop would not vectorise.
  const int32_t left_out = mask_ignored ? kIgnore : -1, target_label = static_cast<int32_t>(c);
  const float *x = in.x, *e = in.e, *log1p_e = in.l;
  const Focal f = focal;
  const float focal_scale = g.focal_scale, dice_base = g.dice_base, dice_target = g.dice_target;
  for (int64_t i = 0; i < n; ++i) {
    const Logit l = LogitOf(x[i], e[i], log1p_e[i]);
    const int32_t label = static_cast<int32_t>(labels[i]);
    const float target = label == target_label ? 1.0f : 0.0f;
    const float dice = (dice_base - target * dice_target) * l.p * l.q;
    grad[i] = label != left_out ? focal_scale * FocalGrad<kGamma>(f, l, target) + dice : 0.0f;
  }
}

// The pixels each image's focal mean runs over: its labelled pixels (at least 1), or all of them.
std::vector<double> FocalDenominators(const int64_t* labels, Shape s, bool mask_ignored) {
  std::vector<double> denominators(s.batch, static_cast<double>(s.pixels));
  if (!mask_ignored) return denominators;
  for (int64_t b = 0; b < s.batch; ++b) {
    const int64_t* lp = labels + b * s.pixels;
    denominators[b] = std::max<double>(1, std::count_if(lp, lp + s.pixels, [](int64_t v) { return v != kIgnore; }));
  }
  return denominators;
}

class FusedNelFunction : public torch::autograd::Function<FusedNelFunction> {
 public:
  // Returns (focal, dice) unweighted, both already divided by num_masks; *num_masks_out receives the divisor.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& logits, const at::Tensor& labels,
                            const NelLossOptions& options, const std::function<double(double)>& average,
                            double* num_masks_out) {
    const Shape s{logits.size(0), logits.size(1), logits.size(2) * logits.size(3)};
    const bool mask_ignored = !options.ignore_as_negative;
    const Focal focal = FocalOf(options);
    const at::Tensor x = logits.contiguous(), y = labels.contiguous();
    at::Tensor e = x.abs();  // exp(-|x|) in place: one buffer, not three
    e.neg_().exp_();
    const at::Tensor l = at::log1p(e);
    const at::Tensor sums = PlaneSums({x.data_ptr<float>(), e.data_ptr<float>(), l.data_ptr<float>()},
                                      y.data_ptr<int64_t>(), s, focal, mask_ignored);
    const std::vector<double> denominators = FocalDenominators(y.data_ptr<int64_t>(), s, mask_ignored);

    const double* sum = sums.data_ptr<double>();
    double present = 0, focal_total = 0, dice_total = 0;
    for (int64_t plane = 0; plane < s.batch * s.classes; ++plane) {
      const double* o = sum + plane * kSums;
      focal_total += o[kFocal] / denominators[plane / s.classes];
      if (o[kT] > 0) {
        present += 1;
        dice_total += 1 - (2 * o[kPT] + 1) / (o[kP] + o[kT] + 1);
      }
    }
    double num_masks = average ? average(present) : present;
    num_masks = std::max(num_masks, 1.0);
    *num_masks_out = num_masks;

    ctx->save_for_backward({x, y, sums, e, l});  // e and l: the backward needs them again
    ctx->saved_data["num_masks"] = num_masks;
    ctx->saved_data["mask_ignored"] = mask_ignored;
    ctx->saved_data["alpha_pos"] = static_cast<double>(focal.alpha_pos);
    ctx->saved_data["alpha_neg"] = static_cast<double>(focal.alpha_neg);
    ctx->saved_data["gamma"] = static_cast<double>(focal.gamma);
    ctx->saved_data["denominators"] = at::tensor(denominators, at::kDouble);
    return at::tensor({focal_total / num_masks, dice_total / num_masks}, logits.options());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& y = saved[1];
    const at::Tensor& sums = saved[2];
    const LogitTerms in{x.data_ptr<float>(), saved[3].data_ptr<float>(), saved[4].data_ptr<float>()};
    const double num_masks = ctx->saved_data["num_masks"].toDouble();
    const bool mask_ignored = ctx->saved_data["mask_ignored"].toBool();
    Focal focal;
    focal.alpha_pos = static_cast<float>(ctx->saved_data["alpha_pos"].toDouble());
    focal.alpha_neg = static_cast<float>(ctx->saved_data["alpha_neg"].toDouble());
    focal.gamma = static_cast<float>(ctx->saved_data["gamma"].toDouble());
    const at::Tensor denominators = ctx->saved_data["denominators"].toTensor();
    const at::Tensor g = grad_outputs[0].to(at::kDouble).contiguous();
    const double g_focal = g[0].item<double>() / num_masks, g_dice = g[1].item<double>() / num_masks;

    const Shape s{x.size(0), x.size(1), x.size(2) * x.size(3)};
    at::Tensor grad = at::empty_like(x);
    float* gx = grad.data_ptr<float>();
    const int64_t* labels = y.data_ptr<int64_t>();
    const double* sum = sums.data_ptr<double>();
    const double* denominator = denominators.data_ptr<double>();
    at::parallel_for(0, s.batch * s.classes, 1, [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const double* o = sum + plane * kSums;
        PlaneGrad g;
        g.focal_scale = static_cast<float>(g_focal / denominator[plane / s.classes]);
        // d(1 - N/D)/dp_i = (N - 2 t_i D) / D², N = 2 Σpt + 1, D = Σp + Σt + 1; absent classes give no dice.
        const double numerator = 2 * o[kPT] + 1, denom = o[kP] + o[kT] + 1;
        const bool present = o[kT] > 0;
        g.dice_base = present ? static_cast<float>(g_dice * numerator / (denom * denom)) : 0.0f;
        g.dice_target = present ? static_cast<float>(g_dice * 2 * denom / (denom * denom)) : 0.0f;
        const int64_t offset = plane * s.pixels;
        const LogitTerms at_plane{in.x + offset, in.e + offset, in.l + offset};
        const int64_t* plane_labels = labels + (plane / s.classes) * s.pixels;
        DispatchGamma(focal.gamma, [&](auto gamma) {
          PlaneGradOf<decltype(gamma)::value>(at_plane, plane_labels, s.pixels, plane % s.classes, focal, g,
                                              mask_ignored, gx + offset);
        });
      }
    });
    return {grad, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

bool FusedNelLossApplies(const at::Tensor& logits) {
  return logits.device().is_cpu() && logits.scalar_type() == at::kFloat;
}

NelLossResult FusedNelLoss(const at::Tensor& logits, const at::Tensor& labels, int64_t num_classes,
                           const NelLossOptions& options, const std::function<double(double)>& average_across_ranks) {
  TORCH_CHECK(logits.dim() == 4 && logits.size(1) == num_classes, "NelLoss: logits must be (B, ", num_classes,
              ", H, W), got ", logits.sizes());
  TORCH_CHECK(labels.dim() == 3 && labels.size(0) == logits.size(0) && labels.size(1) == logits.size(2) &&
                  labels.size(2) == logits.size(3),
              "NelLoss: labels ", labels.sizes(), " must be (B, H, W) matching logits ", logits.sizes(),
              " (upsample the logits to label resolution first)");
  TORCH_CHECK(FusedNelLossApplies(logits), "FusedNelLoss: logits must be float32 on the CPU, got ",
              logits.scalar_type(), " on ", logits.device());
  CheckLabels(labels, num_classes, kIgnoreIndex, "NelLoss");
  NelLossResult r;
  const at::Tensor terms = FusedNelFunction::apply(logits, labels, options, average_across_ranks, &r.num_masks);
  r.focal = terms[0];
  r.dice = terms[1];
  r.total = options.focal_weight * r.focal + options.dice_weight * r.dice;
  return r;
}

}  // namespace zegclip::losses
