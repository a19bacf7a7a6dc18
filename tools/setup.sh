#!/usr/bin/env bash
# Sets up a fresh Debian bookworm machine for zegclip: every system package the build, the tests and the main job
# need, from Debian's archive only (no other downloads). Idempotent; run as root. Fails loudly.
set -euo pipefail

say() { echo "[setup] $*"; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }
trap 'die "failed at line $LINENO (see the output above)"' ERR

[ "$(id -u)" -eq 0 ] || die "run as root (it installs Debian packages): sudo bash tools/setup.sh"
command -v apt-get >/dev/null || die "apt-get not found: this script targets Debian bookworm"

PACKAGES=(
  # Build: Bazel 4 (offline) and its Java rules, plus CMake for the mirror build used on GPU hosts.
  bazel-bootstrap bazel-rules-java cmake g++ pkg-config
  # LibTorch (CPU) and a fast BLAS (25x faster matmul than the reference BLAS Debian's libtorch falls back to).
  libtorch-dev libopenblas0-pthread
  # Distributed training: OpenMPI launcher and collectives.
  libopenmpi-dev openmpi-bin
  # Google libraries: Abseil, gflags, glog, GoogleTest/GoogleMock, Google Benchmark, Protobuf.
  libabsl-dev libgflags-dev libgoogle-glog-dev libgtest-dev libgmock-dev libbenchmark-dev
  libprotobuf-dev protobuf-compiler
  # Image I/O and resizing (dataset readers), Unicode categories (CLIP tokenizer), gzip (BPE vocabulary).
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libpng-dev libicu-dev zlib1g-dev
  # Sanitizers and fuzzing (bazel --config=asan, tools/fuzz/run_fuzzers.sh): clang, its ASan/UBSan/libFuzzer
  # runtimes, and llvm-symbolizer for readable reports.
  clang libclang-rt-14-dev llvm
  # JSON for run manifests, metrics and eval results.
  nlohmann-json3-dev
  # Reports: plots with matplotlib. PyTorch for Python: the authors'-checkpoint converter and the benchmarks'
  # reference harness (Debian's CPU build).
  python3 python3-matplotlib python3-numpy python3-torch
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "all ${#PACKAGES[@]} packages already installed"
else
  say "installing ${#missing[@]} packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Verify what the build relies on, so a half-installed machine fails here and not in a cryptic compile error.
for tool in bazel protoc cmake mpirun python3 clang; do
  command -v "$tool" >/dev/null || die "'$tool' is missing after installation"
done
[ -f /usr/include/torch/csrc/api/include/torch/version.h ] || die "LibTorch headers missing (libtorch-dev)"
[ -d /usr/share/bazel/rules/java ] || die "Debian's rules_java missing (bazel-rules-java)"
blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}')
case "$blas" in
  *openblas*) say "BLAS: $blas" ;;
  *) die "the BLAS alternative is '$blas', not OpenBLAS (update-alternatives --config libblas.so.3-x86_64-linux-gnu)" ;;
esac
# The project runs Debian's interpreter by absolute path (another python3 may come first on PATH).
/usr/bin/python3 -c "import matplotlib, numpy" || die "python3-matplotlib is not importable by /usr/bin/python3"

# Bazel's shared disk cache: a second checkout (CI) reuses actions compiled by the first.
mkdir -p /var/cache/zegclip/bazel-disk-cache
say "done: $(bazel --version 2>/dev/null | head -1), libtorch $(dpkg-query -W -f='${Version}' libtorch-dev)"
