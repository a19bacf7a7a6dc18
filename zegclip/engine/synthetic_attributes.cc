#include "zegclip/engine/synthetic_attributes.h"

#include <cmath>

#include "data/class_catalog.h"

namespace zegclip::engine {

std::pair<double, double> UnseenAttributeShares(const at::Tensor& counts, const std::vector<int64_t>& unseen,
                                                const std::vector<int64_t>& compositions) {
  auto colour_of = [&](int64_t label) { return data::SyntheticCompositionColour(compositions.at(label)); };
  auto pattern_of = [&](int64_t label) { return data::SyntheticCompositionPattern(compositions.at(label)); };
  double total = 0, colour = 0, pattern = 0;
  for (int64_t label : unseen) {
    for (int64_t pred = 0; pred < counts.size(1); ++pred) {
      const double n = static_cast<double>(counts[label][pred].item<int64_t>());
      total += n;
      colour += colour_of(pred) == colour_of(label) ? n : 0;
      pattern += pattern_of(pred) == pattern_of(label) ? n : 0;
    }
  }
  if (total == 0) return {NAN, NAN};
  return {100 * colour / total, 100 * pattern / total};
}

at::Tensor PairCounts(const at::Tensor& targets, const at::Tensor& predictions, int64_t classes) {
  return at::bincount(targets.flatten() * classes + predictions.flatten(), {}, classes * classes)
      .view({classes, classes});
}

}  // namespace zegclip::engine
