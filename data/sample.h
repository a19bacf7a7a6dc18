// The data package's common currency: one decoded sample, one transformed sample, a batch, and the Dataset interface
// every reader (VOC, COCO-Stuff, Context, the synthetic world) implements.
//
// Example:
//   absl::StatusOr<Sample> s = dataset.Get(17);   // uint8 (H, W, 3) RGB + uint8 (H, W) labels, 255 = ignore
//   if (!s.ok()) return s.status();                 // the message names the sample and file
#ifndef ZEGCLIP_DATA_SAMPLE_H_
#define ZEGCLIP_DATA_SAMPLE_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace zegclip::data {

// Label value of pixels that count for nothing (background of the synthetic world, VOC borders, padding).
inline constexpr int64_t kIgnoreLabel = 255;

// A decoded sample as a reader returns it.
struct Sample {
  at::Tensor image;  // uint8 (H, W, 3) RGB, contiguous
  at::Tensor label;  // uint8 (H, W): class id in [0, C) or 255 = ignore
  std::string caption;
  std::string id;
  // What the caption says whatever its phrasing (equal keys = same content); empty = the caption itself.
  std::string caption_key;
};

// A sample after a pipeline (transforms.h): what the loader stacks into a Batch.
struct TransformedSample {
  at::Tensor image;  // float32 (3, H, W), normalised
  at::Tensor label;  // int64 (H, W), 255 = ignore
  std::string caption;
  std::string id;
  std::string caption_key;
};

struct Batch {
  at::Tensor images;  // float32 (B, 3, H, W), normalised
  at::Tensor labels;  // int64 (B, H, W), 255 = ignore
  std::vector<std::string> captions, ids, caption_keys;
};

// A random-access dataset. Get() must be thread-safe: the loader calls it from several workers at once.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  virtual absl::StatusOr<Sample> Get(int64_t index) const = 0;
};

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_SAMPLE_H_
