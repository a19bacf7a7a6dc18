#include "zegclip/engine/synthetic_attributes.h"

#include <cmath>

#include "data/class_catalog.h"

namespace zegclip::engine {

std::pair<double, double> UnseenAttributeShares(const at::Tensor& counts, const std::vector<int64_t>& unseen) {
  const int64_t patterns = static_cast<int64_t>(data::SyntheticPatterns().size());
  double total = 0, colour = 0, pattern = 0;
  for (int64_t label : unseen) {
    for (int64_t pred = 0; pred < counts.size(1); ++pred) {
      const double n = static_cast<double>(counts[label][pred].item<int64_t>());
      total += n;
      colour += (pred / patterns == label / patterns) ? n : 0;
      pattern += (pred % patterns == label % patterns) ? n : 0;
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
