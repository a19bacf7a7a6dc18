// A 64-bit digest of a checkpoint's contents, to detect files whose bytes changed after they were written (a flipped
// bit on disk, a partial copy, an edit): not cryptographic, only fast (~2 GB/s) and well mixed, so any change of
// any byte changes the digest with overwhelming probability.
//
// Example:
//   ContentDigest d;
//   d.Add("iter");  d.Add(int64_t{300});  d.Add(weights);   // strings, integers and tensors (dtype, shape, bytes)
//   std::string hex = d.Hex();                                 // "9f1c...": 16 hex digits
#ifndef ZEGCLIP_TRAIN_CONTENT_DIGEST_H_
#define ZEGCLIP_TRAIN_CONTENT_DIGEST_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include <ATen/ATen.h>

namespace zegclip::train {

class ContentDigest {
 public:
  // Every Add is framed by its length, so "ab" + "c" and "a" + "bc" differ.
  void Add(const void* data, size_t size);
  void Add(const std::string& bytes) { Add(bytes.data(), bytes.size()); }
  void Add(int64_t value) { Add(&value, sizeof(value)); }
  // The dtype, the shape and the bytes of a contiguous CPU copy.
  void Add(const at::Tensor& tensor);

  uint64_t Value() const;
  std::string Hex() const;

 private:
  uint64_t state_ = 0x243F6A8885A308D3ull;  // any fixed start (the digits of pi)
  uint64_t count_ = 0;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_CONTENT_DIGEST_H_
