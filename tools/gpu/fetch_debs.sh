#!/usr/bin/env bash
# Run on a Debian bookworm machine (this one), not on the GPU box: downloads — does not install — the .deb files of
# the libraries the GPU box lacks into gpu_debs/ at the repository root (git-ignored). tools/gpu/gpu_check.sh
# unpacks them there with `dpkg -x` into a prefix folder and builds the CMake mirror against it.
#
#   bash tools/gpu/fetch_debs.sh            # then carry gpu_debs/ to the GPU box with the working tree
#   bash tools/gpu/fetch_debs.sh DIR        # somewhere else
#
# What and why (see BUILD_NOTES, "The GPU machine used for checks"):
#   glog, gflags, Abseil (+ libunwind, glog's indirect dependency)   absent on the box
#   protobuf headers, runtime and protoc (3.21.12, the box's version) PyTorch's wheel carries older headers
#   nlohmann-json (header-only)                                       run manifests, benchmark JSON
#   ICU (72)                                                          the CLIP tokenizer; not seen on the box
#   GoogleTest / GoogleMock (static libraries + CMake config)         the `gpu`-tagged tests
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-$root/gpu_debs}
PACKAGES=(
  libgoogle-glog-dev libgoogle-glog0v6 libgflags-dev libgflags2.2 libunwind8 libunwind-dev
  libabsl-dev libabsl20220623
  libprotobuf-dev libprotobuf32 libprotoc32 protobuf-compiler
  nlohmann-json3-dev
  libicu-dev libicu72
  libgtest-dev libgmock-dev
)

command -v apt-get >/dev/null || { echo "fetch_debs.sh: needs apt-get (a Debian bookworm machine)" >&2; exit 1; }
mkdir -p "$dest"
cd "$dest"
rm -f ./*.deb MANIFEST.txt  # no stale versions beside the new ones
echo "[fetch_debs] downloading ${#PACKAGES[@]} packages into $dest"
if ! apt-get download "${PACKAGES[@]}"; then
  echo "[fetch_debs] apt-get download failed; try 'apt-get update' first (Debian's archive must be reachable)" >&2
  exit 1
fi
for deb in ./*.deb; do
  printf '%s %s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" \
    "$(sha256sum "$deb" | cut -d' ' -f1)"
done >MANIFEST.txt
count=$(ls ./*.deb | wc -l)
[ "$count" -eq "${#PACKAGES[@]}" ] || { echo "[fetch_debs] expected ${#PACKAGES[@]} files, got $count" >&2; exit 1; }
echo "[fetch_debs] $count files, $(du -sh . | cut -f1) in $dest (MANIFEST.txt lists versions and sha256)"
