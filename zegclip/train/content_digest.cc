#include "zegclip/train/content_digest.h"

#include <cstring>

#include "absl/strings/str_format.h"

namespace zegclip::train {
namespace {

constexpr uint64_t kMul1 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kMul2 = 0xC2B2AE3D27D4EB4Full;

uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// One 8-byte word into the running state (xxHash64's round).
uint64_t Round(uint64_t state, uint64_t word) { return Rotl(state + word * kMul2, 31) * kMul1; }

// MurmurHash3's 64-bit finaliser: every input bit reaches every output bit.
uint64_t Finalise(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace

void ContentDigest::Add(const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  uint64_t state = Round(state_, static_cast<uint64_t>(size));
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    state = Round(state, word);
  }
  if (i < size) {
    uint64_t word = 0;
    std::memcpy(&word, bytes + i, size - i);
    state = Round(state, word ^ (uint64_t{0xFF} << 56));  // marks the tail, so trailing zero bytes count
  }
  state_ = state;
  count_ += 1;
}

void ContentDigest::Add(const at::Tensor& tensor) {
  const at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
  Add(static_cast<int64_t>(t.scalar_type()));
  Add(static_cast<int64_t>(t.dim()));
  for (int64_t d : t.sizes()) Add(d);
  Add(t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size());
}

uint64_t ContentDigest::Value() const { return Finalise(state_ ^ (count_ * kMul2)); }

std::string ContentDigest::Hex() const { return absl::StrFormat("%016x", Value()); }

}  // namespace zegclip::train
