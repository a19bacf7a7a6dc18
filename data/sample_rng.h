// Deterministic random numbers keyed by what a value is for, not by who computes it: a sample's augmentation depends
// on (seed, epoch, sample index) only, and a synthetic image on (seed, split, index) only, so every worker thread and
// every rank reproduces exactly the same data. The generator is SplitMix64 and the integer/real draws are written
// out here (no std:: distributions, whose results differ between standard libraries).
//
// Example:
//   SampleRng rng(/*seed=*/0, /*epoch=*/3, /*index=*/17);
//   double ratio = rng.Uniform(0.5, 2.0);
//   bool flip = rng.Bernoulli(0.5);
//   int64_t dx = rng.UniformInt(0, 10);   // inclusive bounds
#ifndef ZEGCLIP_DATA_SAMPLE_RNG_H_
#define ZEGCLIP_DATA_SAMPLE_RNG_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace zegclip::data {

// One SplitMix64 step: a strong 64-bit mixer (also used to combine keys).
uint64_t MixBits(uint64_t x);
// A stable 64-bit hash of a string (FNV-1a, then mixed).
uint64_t HashString(std::string_view text);

class SampleRng {
 public:
  // A stream keyed by up to three integers (e.g. seed, epoch, index).
  SampleRng(uint64_t key0, uint64_t key1, uint64_t key2);
  explicit SampleRng(uint64_t state) : state_(MixBits(state)) {}

  uint64_t NextU64();
  // Uniform in [0, 1) with 53 random bits.
  double NextDouble();
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi);
  // Uniform integer in [lo, hi] (inclusive; lo <= hi), unbiased.
  int64_t UniformInt(int64_t lo, int64_t hi);
  // True with probability p.
  bool Bernoulli(double p);

 private:
  uint64_t state_;
};

// A Fisher-Yates permutation of [0, n) drawn from rng.
std::vector<int64_t> RandomPermutation(int64_t n, SampleRng& rng);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_SAMPLE_RNG_H_
