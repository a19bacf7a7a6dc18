#include "data/sample_rng.h"

#include <numeric>

namespace zegclip::data {

uint64_t MixBits(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

uint64_t HashString(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return MixBits(h);
}

SampleRng::SampleRng(uint64_t key0, uint64_t key1, uint64_t key2)
    // Chained mixing: (a, b, c) and (b, a, c) give unrelated streams.
    : state_(MixBits(MixBits(MixBits(key0) ^ key1) ^ key2)) {}

uint64_t SampleRng::NextU64() {
  state_ += 0x9E3779B97F4A7C15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double SampleRng::NextDouble() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

double SampleRng::Uniform(double lo, double hi) { return lo + (hi - lo) * NextDouble(); }

int64_t SampleRng::UniformInt(int64_t lo, int64_t hi) {
  const uint64_t range = static_cast<uint64_t>(hi - lo) + 1;  // 0 means the full 2^64 range
  if (range == 0) return static_cast<int64_t>(NextU64());
  // Rejection of the incomplete top block keeps every value equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t x = NextU64();
  while (x >= limit) x = NextU64();
  return lo + static_cast<int64_t>(x % range);
}

bool SampleRng::Bernoulli(double p) { return NextDouble() < p; }

std::vector<int64_t> RandomPermutation(int64_t n, SampleRng& rng) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[rng.UniformInt(0, i)]);
  return perm;
}

}  // namespace zegclip::data
