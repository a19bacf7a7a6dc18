// The random generators' state as opaque bytes, so that a checkpoint (checkpoint.h) can carry every rank's and a
// resumed run draws exactly what the uninterrupted one would have drawn (dropout, drop-path, data order on the GPU).
//
// Example:
//   const std::string bytes = CaptureRngState();   // CPU generator, plus CUDA's where CUDA is available
//   ...
//   absl::Status s = RestoreRngState(bytes);       // "RNG state: truncated record" for damaged bytes
#ifndef ZEGCLIP_TRAIN_RNG_STATE_H_
#define ZEGCLIP_TRAIN_RNG_STATE_H_

#include <string>

#include "absl/status/status.h"

namespace zegclip::train {

// The default CPU generator's state, plus the current CUDA device's where CUDA is available, as opaque bytes.
std::string CaptureRngState();

// Sets the generators from CaptureRngState's bytes. A CUDA record is skipped on a machine without CUDA (that resume
// cannot be exact anyway). Damaged bytes are a DataLoss error; a generator is never set from a torn record.
absl::Status RestoreRngState(const std::string& bytes);

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_RNG_STATE_H_
