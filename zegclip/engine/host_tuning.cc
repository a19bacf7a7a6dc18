#include "zegclip/engine/host_tuning.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>

namespace zegclip::engine {

void TuneHost(char** argv) {
  PreferPassiveOpenMpWaits(argv);
  KeepFreedMemory();
}

void PreferPassiveOpenMpWaits(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/1) != 0) return;
  execv("/proc/self/exe", argv);  // returns only on failure: go on with the default policy
}

void KeepFreedMemory() {
  // Best effort: a libc without these options (or one that refuses a value) keeps its defaults.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
}

}  // namespace zegclip::engine
