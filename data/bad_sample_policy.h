// What training and evaluation do with a sample a reader cannot deliver (corrupt or missing file, label of the wrong
// size, unknown label ids): the experiment's data.skip_bad_samples. Wraps any Dataset.
//   kStop      Get() fails with the reader's error (which names the file), plus how to list or skip them all.
//   kNextGood  training: sample i is the first good one of i, i+1, ... (wrapping). Which files are bad is fixed, so a
//              batch is the same whatever the worker count or timing; bad indices are remembered, not re-read.
//   kDrop      evaluation: every sample is read once up front and the bad ones are left out, so no image counts
//              twice in the metrics.
// Each bad sample is reported once (index, and the reader's message with path and reason) through `report`
// (default: one "warning: ..." line on stderr).
//
// Example:
//   auto train = WithBadSamplePolicy(reader, BadSamplePolicy::kNextGood);   // skip_bad_samples: true
//   auto val = WithBadSamplePolicy(val_reader, BadSamplePolicy::kDrop);
#ifndef ZEGCLIP_DATA_BAD_SAMPLE_POLICY_H_
#define ZEGCLIP_DATA_BAD_SAMPLE_POLICY_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data/sample.h"

namespace zegclip::data {

enum class BadSamplePolicy { kStop, kNextGood, kDrop };

using BadSampleReporter = std::function<void(const std::string& message)>;

// Fails only for kDrop when no sample is good (naming the first bad one). `threads` reads kDrop's scan in parallel
// (0 = the machine's cores); its result does not depend on it.
absl::StatusOr<std::shared_ptr<const Dataset>> WithBadSamplePolicy(std::shared_ptr<const Dataset> dataset,
                                                                   BadSamplePolicy policy,
                                                                   BadSampleReporter report = nullptr,
                                                                   int threads = 0);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_BAD_SAMPLE_POLICY_H_
