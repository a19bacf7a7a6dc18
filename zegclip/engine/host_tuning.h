// How a zegclip process uses the host's cores and memory, set once at start-up before any tensor work. Both settings
// were measured on the 2-core development machine (Debian LibTorch 1.13, glibc 2.36), the ZegCLIP step of the
// quickstart (batch 64 at 64x64) and its CLIP step (256 pairs at 32x32), steps 11-20 of each:
//
// - OpenMP waits: LibTorch's OpenMP pool and the BLAS's own threads busy-wait after each parallel region, so on a
//   small machine they take the cores from each other (ZegCLIP step 1.07 s with OMP_WAIT_POLICY=ACTIVE, 0.78 s with
//   PASSIVE). libgomp reads the policy once, when it is loaded, so the process restarts itself once with it set;
//   a policy already in the environment (e.g. ACTIVE on a dedicated many-core host) is left as it is.
// - Freed memory: glibc's malloc gives the top of its heap back to the kernel whenever more than a (dynamic)
//   threshold is free, and a training step frees and reallocates its activations every iteration, so each step
//   faulted its memory in again (about a third of the process's time was system time). Keeping freed memory in the
//   process: ZegCLIP step 0.78 -> 0.40 s, CLIP step 0.68 -> 0.50 s. The cost is that the resident size stays at its
//   peak, which a training process reaches every step anyway.
//
// Example (first thing in main):
//   zegclip::engine::TuneHost(argv);
#ifndef ZEGCLIP_ENGINE_HOST_TUNING_H_
#define ZEGCLIP_ENGINE_HOST_TUNING_H_

namespace zegclip::engine {

// Both of the below.
void TuneHost(char** argv);

// Restarts the process (execv of /proc/self/exe with argv) with OMP_WAIT_POLICY=PASSIVE unless a policy is set.
void PreferPassiveOpenMpWaits(char** argv);

// mallopt: freed heap memory stays with the process (no trimming below 1 GiB free), and the dynamic mmap threshold
// is fixed at its largest value (32 MiB) so tensors below it come from the heap.
void KeepFreedMemory();

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_HOST_TUNING_H_
