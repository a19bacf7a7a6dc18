// `compare_checkpoints A.ckpt B.ckpt [MAX_RELATIVE [SKIP]]`: prints how far apart two training checkpoints' model
// tensors are (see checkpoint_tensors.h for the measure) and exits 1 when the relative difference exceeds
// MAX_RELATIVE (default 0: bit-identical), 2 on a usage or read error. Tensors whose name contains SKIP are left out.
// Used by the multi-rank and resume tests of `zegclip train`.
//
// Example:
//   compare_checkpoints runs/np2/iter_6.ckpt runs/np1/iter_6.ckpt 1e-6
//   -> max_relative=3.1e-08 max_absolute=1.2e-09 differing_elements=17 tensors=78 skipped=0
//      worst=decoder.layers.0.linear1.weight
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>

#include "zegclip/train/checkpoint_tensors.h"

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5) {
    std::fprintf(stderr, "usage: %s A.ckpt B.ckpt [MAX_RELATIVE [SKIP]]\n", argv[0]);
    return 2;
  }
  char* end = nullptr;
  const double tolerance = argc >= 4 ? std::strtod(argv[3], &end) : 0.0;
  if (argc >= 4 && (end == argv[3] || *end != '\0' || tolerance < 0)) {
    std::fprintf(stderr, "compare_checkpoints: MAX_RELATIVE must be a number >= 0, got '%s'\n", argv[3]);
    return 2;
  }
  using zegclip::train::ReadCheckpointTensors;
  auto a = ReadCheckpointTensors(argv[1]);
  auto b = ReadCheckpointTensors(argv[2]);
  for (const auto* read : {&a, &b}) {
    if (!read->ok()) {
      std::fprintf(stderr, "compare_checkpoints: %s\n", std::string(read->status().message()).c_str());
      return 2;
    }
  }
  size_t skipped = 0;
  if (argc == 5) {
    for (auto* tensors : {&*a, &*b}) {
      for (auto it = tensors->begin(); it != tensors->end();) {
        const bool skip = it->first.find(argv[4]) != std::string::npos;
        skipped += skip && tensors == &*a;
        it = skip ? tensors->erase(it) : std::next(it);
      }
    }
  }
  const auto d = zegclip::train::CompareTensors(*a, *b);
  if (!d.ok()) {
    std::fprintf(stderr, "compare_checkpoints: %s vs %s: %s\n", argv[1], argv[2],
                 std::string(d.status().message()).c_str());
    return 2;
  }
  std::printf("max_relative=%.3g max_absolute=%.3g differing_elements=%lld tensors=%zu skipped=%zu worst=%s\n",
              d->max_relative, d->max_absolute, static_cast<long long>(d->differing_elements), a->size(), skipped,
              d->worst_tensor.empty() ? "-" : d->worst_tensor.c_str());
  // Written so that a NaN difference fails.
  return d->max_relative <= tolerance ? 0 : 1;
}
