// Evidence of zero-shot transfer in the synthetic world: of the predictions on unseen classes (images or pixels),
// the share with the right colour and the share with the right pattern. Colour is easy to guess from the seen
// classes; the pattern of an unseen composition is what only CLIP's text side can supply.
//
// Example:
//   auto [colour, pattern] = UnseenAttributeShares(confusion_counts, split.unseen,
//                                                  data::SyntheticLabelCompositions(world));   // percent
#ifndef ZEGCLIP_ENGINE_SYNTHETIC_ATTRIBUTES_H_
#define ZEGCLIP_ENGINE_SYNTHETIC_ATTRIBUTES_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace zegclip::engine {

// counts: (C, C) int64, counts[label][prediction]; compositions[k]: the composition label k paints
// (data::SyntheticLabelCompositions). Returns (colour right %, pattern right %) over the rows of `unseen`; NaN when
// those rows are empty.
std::pair<double, double> UnseenAttributeShares(const at::Tensor& counts, const std::vector<int64_t>& unseen,
                                                const std::vector<int64_t>& compositions);

// The (C, C) counts of (target, prediction) pairs.
at::Tensor PairCounts(const at::Tensor& targets, const at::Tensor& predictions, int64_t classes);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_SYNTHETIC_ATTRIBUTES_H_
