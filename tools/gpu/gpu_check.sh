#!/usr/bin/env bash
# The GPU box check, in one script run from the repository root ON the GPU machine (no network, no Bazel):
#   1 env         nvidia-smi, Python/PyTorch/CUDA, compiler and CMake versions
#   2 deps        unpack gpu_debs/*.deb (made here by tools/gpu/fetch_debs.sh) into a prefix with dpkg -x
#   3 configure   the CMake mirror against PyTorch's bundled LibTorch, NCCL from the nvidia wheel, the prefix
#   4 build       ninja: the benchmark binaries and the `gpu`-tagged tests (keeps going past a failed target)
#   5 tests       every cc_test tagged "gpu" in a BUILD file, by its CMake binary
#   6 agreement   ViT-B/16 reference weights exported by PyTorch, our logits on CUDA compared (fp32 both kernels, bf16)
#   7 quickstart  the default job on the GPU: one-rank NCCL, bf16 autocast (CLIP pre-training, ZegCLIP, evaluation)
#   8 nccl        allreduce_benchmark on one rank with the NCCL backend (short)
#   9 benchmarks  benchmarks/run_benchmarks.sh on CUDA: PyTorch reference + C++, combined table with ratios
#  10 profile     where the time goes: the reference under torch.profiler (kernel categories), C++ phase splits
#  11 ablation    (only when asked for) the synthetic-world ablation sweep, 36 trainings, 4 shards at once (3 min)
# Stages 5-11 are chosen with ZEGCLIP_GPU_STAGES (a comma list, run in the order given; default
# tests,agreement,benchmarks,profile,quickstart,nccl — the benchmarks leave the later stages their share of the
# budget); 1-4 always run and are quick when a build folder of an earlier call on the same machine is still there
# (ZEGCLIP_GPU_BUILD_DIR outside the repository survives a re-sent working tree).
# Per-stage logs, JSON and the table are written under a results folder; at the end $OUT receives SUMMARY.txt,
# gpu_check.log and results.tgz (the whole folder: the device runner brings back only a few files). Stages after a
# failed build/test still run where they can; the whole script keeps to a wall-clock budget (default 450 s).
#
#   bash tools/gpu/gpu_check.sh                               # on the GPU box; $OUT set by the device runner
#   ZEGCLIP_GPU_DRY_RUN=1 OUT=/tmp/gpu_dry bash tools/gpu/gpu_check.sh   # here on CPU: Debian's LibTorch, --quick
#   git archive HEAD | tar -x -C src && git rev-parse HEAD > src/SOURCE_COMMIT   # an exported tree to send over:
#                                                      # its manifests then name that commit (see SOURCE_COMMIT below)
#
# Environment: OUT (default build/gpu_check_out), ZEGCLIP_GPU_DRY_RUN (1 = CPU rehearsal), ZEGCLIP_GPU_BUDGET_S
# (default 450; dry run 5400), ZEGCLIP_DEPS_PREFIX (default /tmp/zegclip-deps), ZEGCLIP_GPU_BUILD_DIR (default
# build/gpu or build/gpu_dry), PYTHON (default: the first of python3, /usr/bin/python3 that imports torch),
# ZEGCLIP_BENCH_FLAGS (flags for run_benchmarks.sh; default on the GPU "--iters=10 --warmup=3
# --inference_batches=1,16"), ZEGCLIP_GPU_STAGES, ZEGCLIP_QUICKSTART_LIMIT_S, ZEGCLIP_ABLATION_LIMIT_S (each shard's),
# ZEGCLIP_ABLATION_JOBS (default 4 shards), ZEGCLIP_PYTHON, ZEGCLIP_PCH (default ON: precompiled LibTorch headers).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export ROOT=$root
export DRY=${ZEGCLIP_GPU_DRY_RUN:-0}
export OUT=${OUT:-$root/build/gpu_check_out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export RESULTS=${ZEGCLIP_GPU_RESULTS:-/tmp/zegclip_gpu_results}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
if [ "$DRY" = 1 ]; then default_budget=5400; else default_budget=450; fi
BUDGET_S=${ZEGCLIP_GPU_BUDGET_S:-$default_budget}
export PREFIX=${ZEGCLIP_DEPS_PREFIX:-/tmp/zegclip-deps}
if [ "$DRY" = 1 ]; then default_build=$root/build/gpu_dry; else default_build=$root/build/gpu; fi
export BUILD=${ZEGCLIP_GPU_BUILD_DIR:-$default_build}
export DEBS=$root/gpu_debs
export LIBDIR=$PREFIX/usr/lib/x86_64-linux-gnu
# 10 timed iterations per row keep every GPU row inside the budget; override for longer runs.
if [ "$DRY" = 1 ]; then default_bench_flags=""; else default_bench_flags="--iters=10 --warmup=3 --inference_batches=1,16"; fi
export BENCH_FLAGS=${ZEGCLIP_BENCH_FLAGS:-$default_bench_flags}
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}  # H100/H200; spares Torch's CMake a detection run
# The NCCL communicator bootstraps through MPI (a singleton without mpirun); the box runs commands as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Run reports with the interpreter that has matplotlib there (the box's /usr/bin/python3 has none).
if [ "$DRY" != 1 ]; then export ZEGCLIP_PYTHON=${ZEGCLIP_PYTHON:-python3}; fi
# Run manifests record the commit the sources are. A tree exported with `git archive` has no .git of its own: its
# SOURCE_COMMIT file (written beside it at export) names the commit, and git must not look further up, where an
# enclosing checkout of another commit would answer instead.
if [ ! -e "$root/.git" ]; then
  export GIT_CEILING_DIRECTORIES=$(dirname "$root")
  if [ -f "$root/SOURCE_COMMIT" ]; then export ZEGCLIP_GIT_COMMIT=$(head -c 40 "$root/SOURCE_COMMIT"); fi
fi

exec > >(tee -a "$RESULTS/gpu_check.log") 2>&1
tee_pid=$!
start=$(date +%s)
summary=$RESULTS/SUMMARY.txt
: >"$summary"
failures=0
elapsed() { echo $(( $(date +%s) - start )); }

# The interpreter with torch (the box may have several).
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import torch' >/dev/null 2>&1; then PYTHON=$candidate; break; fi
  done
fi
export PYTHON

# --- stages (each runs in its own bash under `timeout`, so a hung step cannot eat the budget) ---

stage_env() {
  echo "dry run: $DRY   repo: $ROOT   out: $OUT   build: $BUILD   prefix: $PREFIX"
  date -u +%FT%TZ; uname -a; nproc; free -g | head -2
  if [ "$DRY" != 1 ]; then nvidia-smi || { echo "nvidia-smi failed: no GPU?"; return 1; }; fi
  [ -n "$PYTHON" ] || { echo "no Python that imports torch (set PYTHON=...)"; return 1; }
  "$PYTHON" - <<'EOF' || return 1
import sys, torch
print("python", sys.version.split()[0], "| torch", torch.__version__, "| cuda", torch.version.cuda,
      "| cuda available", torch.cuda.is_available(), "| cmake prefix", torch.utils.cmake_prefix_path)
if torch.cuda.is_available():
    print("device", torch.cuda.get_device_name(0), "| capability", torch.cuda.get_device_capability(0))
EOF
  for tool in gcc g++ cmake ninja mpicc protoc nvcc; do
    printf '%-6s %s\n' "$tool" "$(command -v "$tool" >/dev/null && "$tool" --version 2>&1 | head -1 || echo absent)"
  done
  if [ "$DRY" != 1 ]; then "$PYTHON" -c 'import torch; assert torch.cuda.is_available(), "torch sees no GPU"'; fi
}

stage_deps() {
  if ! ls "$DEBS"/*.deb >/dev/null 2>&1; then
    echo "no .deb files in $DEBS: run tools/gpu/fetch_debs.sh on a Debian machine and carry gpu_debs/ along"
    return 1
  fi
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  for deb in "$DEBS"/*.deb; do
    dpkg -x "$deb" "$PREFIX" || { echo "dpkg -x failed on $deb"; return 1; }
    echo "unpacked $(basename "$deb")"
  done
  local missing=0
  for f in usr/include/glog/logging.h usr/include/gflags/gflags.h usr/include/absl/status/status.h \
           usr/include/nlohmann/json.hpp usr/include/google/protobuf/message.h usr/include/unicode/uchar.h \
           usr/include/gtest/gtest.h usr/bin/protoc; do
    [ -e "$PREFIX/$f" ] || { echo "missing after unpacking: $PREFIX/$f"; missing=1; }
  done
  for lib in glog gflags unwind protobuf icuuc icui18n icudata absl_status; do
    [ -e "$LIBDIR/lib$lib.so" ] || { echo "missing or dangling: $LIBDIR/lib$lib.so"; missing=1; }
  done
  LD_LIBRARY_PATH=$LIBDIR "$PREFIX/usr/bin/protoc" --version || missing=1
  return "$missing"
}

stage_configure() {
  local torch_prefix nccl_root args=()
  torch_prefix=$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')
  if [ -f "$torch_prefix/Torch/TorchConfig.cmake" ]; then
    args+=("-DCMAKE_PREFIX_PATH=$torch_prefix")
  else
    echo "no TorchConfig.cmake under $torch_prefix: CMake searches the system LibTorch"
  fi
  nccl_root=$("$PYTHON" -c 'import os, nvidia.nccl as m; print(list(m.__path__)[0])' 2>/dev/null || true)
  if [ -n "$nccl_root" ] && [ -f "$nccl_root/include/nccl.h" ]; then
    args+=("-DNCCL_ROOT=$nccl_root")
    echo "NCCL: $nccl_root"
  else
    echo "NCCL: not found (no nvidia-nccl wheel); the NCCL backend is left out"
  fi
  # protoc and the libraries it needs come from the prefix (the same 3.21.12 as its headers).
  args+=("-DZEGCLIP_DEPS_PREFIX=$PREFIX" "-DProtobuf_PROTOC_EXECUTABLE=$PREFIX/usr/bin/protoc"
         "-DCMAKE_BUILD_TYPE=Release" "-DCMAKE_POLICY_VERSION_MINIMUM=3.5" "-DZEGCLIP_PCH=${ZEGCLIP_PCH:-ON}")
  export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  if cmake -S "$ROOT" -B "$BUILD" -G Ninja "${args[@]}" -DZEGCLIP_BUILD_TESTS=ON; then
    echo "configured with tests"
  else
    echo "configure with ZEGCLIP_BUILD_TESTS=ON failed (GoogleTest?); retrying without tests"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja "${args[@]}" -DZEGCLIP_BUILD_TESTS=OFF
  fi
}

# CMake binaries of the cc_tests tagged "gpu" (one binary per *_test.cc source).
gpu_tests() {
  "$PYTHON" - <<'EOF'
import pathlib, re
for folder in ("zegclip", "data", "tools", "benchmarks"):
    for build in sorted(pathlib.Path(folder).rglob("BUILD")):
        for body in re.findall(r"cc_test\((.*?)\n\)", build.read_text(), re.S):
            tags = re.search(r"tags\s*=\s*\[([^\]]*)\]", body)
            srcs = re.search(r"srcs\s*=\s*\[([^\]]*)\]", body)
            if tags and '"gpu"' in tags.group(1) and srcs:
                for src in re.findall(r'"([^"]+_test\.cc)"', srcs.group(1)):
                    print(pathlib.Path(src).stem)
EOF
}

stage_build() {
  export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  local targets=(inference_benchmark train_step_benchmark allreduce_benchmark reference_agreement zegclip) t
  if grep -q "ZEGCLIP_BUILD_TESTS:BOOL=ON" "$BUILD/CMakeCache.txt"; then
    for t in $(gpu_tests); do targets+=("$t"); done
  fi
  echo "targets: ${targets[*]}"
  local jobs; jobs=$(nproc)
  ninja -C "$BUILD" -k 0 -j "$jobs" "${targets[@]}"
}

stage_tests() {
  local t rc=0 ran=0
  for t in $(gpu_tests); do
    if [ ! -x "$BUILD/bin/$t" ]; then
      if ninja -C "$BUILD" -t targets all 2>/dev/null | grep -q "^$t:"; then
        echo "FAIL $t: did not build (see build.log)"
      else
        echo "FAIL $t: no CMake target (its source is newer than the configure? rerun)"
      fi
      rc=1
      continue
    fi
    ran=$((ran + 1))
    if (cd "$ROOT" && timeout 120 "$BUILD/bin/$t" >"$RESULTS/test_$t.log" 2>&1); then
      echo "ok   $t ($(grep -E '^\[  PASSED  \]|SKIPPED' "$RESULTS/test_$t.log" | head -2 | tr '\n' ' '))"
    else
      echo "FAIL $t (see test_$t.log)"; tail -20 "$RESULTS/test_$t.log"; rc=1
    fi
  done
  echo "$ran gpu-tagged test binaries run"
  return "$rc"
}

# PyTorch exports the reference's random ViT-B/16 weights and outputs; our binary compares (a dry run: the tiny model).
stage_agreement() {
  local bin=$BUILD/bin/reference_agreement dir=/tmp/zegclip_agreement size=()
  [ -x "$bin" ] || { echo "reference_agreement not built"; return 1; }
  if [ "$DRY" = 1 ]; then size=(--tiny --device=cpu); else size=(--device=cuda --batch=2); fi
  "$PYTHON" "$ROOT/benchmarks/reference/export_agreement.py" --out="$dir" "${size[@]}" || return 1
  if [ "$DRY" = 1 ]; then size=(--device=cpu); else size=(--device=cuda); fi
  "$bin" --dir="$dir" "${size[@]}" --json_out="$RESULTS/agreement.json"
  local rc=$?
  rm -rf "$dir"
  return "$rc"
}

# The default job on this machine: CLIP pre-training, the training-free baseline, ZegCLIP, evaluation — one rank,
# NCCL backend, bf16 autocast on the GPU (a dry run: a few steps on the CPU).
stage_quickstart() {
  local bin=$BUILD/bin/zegclip work=/tmp/zegclip_quickstart args=()
  [ -x "$bin" ] || { echo "zegclip not built"; return 1; }
  rm -rf "$work"
  if [ "$DRY" = 1 ]; then
    args=(--set=pretrain.max_iters=3 --set=train.max_iters=3 --set=data.synthetic.val_images=10)
  else
    args=(--set=distributed.backend=NCCL --set=train.bf16=true)
  fi
  local rc=0
  # Its own time limit, inside the stage's, so that what it wrote is still collected below.
  (cd "$ROOT" && timeout "${ZEGCLIP_QUICKSTART_LIMIT_S:-170}" "$bin" quickstart \
    --config=experiments/synthetic_quickstart.pbtxt --work_dir="$work" "${args[@]}") || rc=$?
  mkdir -p "$RESULTS/quickstart"
  (cd "$work" && find . -maxdepth 2 \( -name '*.json' -o -name '*.jsonl' -o -name '*.txt' -o -name '*.md' \
    -o -name '*.pbtxt' \) -exec cp --parents {} "$RESULTS/quickstart/" \;) 2>/dev/null
  return "$rc"
}

# The synthetic-world ablation (experiments/sweeps/synthetic_ablation.pbtxt: 36 trainings) on the GPU, on the CLIP the
# quickstart stage pre-trained (pre-trained here first if that stage did not run). A quickstart-size training leaves
# most of the GPU idle, so ZEGCLIP_ABLATION_JOBS (default 4) `zegclip sweep --shard=I/N` processes share it, each
# under ZEGCLIP_ABLATION_LIMIT_S with cores/N intra-op threads (LibTorch would start one per core in each) and its
# log in ablation/shard_I.log; then a plain sweep run skips every finished point and writes the table. That run
# starts only when every shard succeeded: otherwise it would train the missing points one by one past the stage's
# limit. On an H200 the 4 shards trained the 36 points in 141 s, against 58 s for 4 points alone (about 9 minutes for
# 36 in one process); the stage took 164 s with the CLIP. Not in the default stages: ask for it with
# ZEGCLIP_GPU_STAGES=ablation.
stage_ablation() {
  local bin=$BUILD/bin/zegclip clip=/tmp/zegclip_quickstart/clip work=/tmp/zegclip_ablation rc=0
  local jobs=${ZEGCLIP_ABLATION_JOBS:-4} limit=${ZEGCLIP_ABLATION_LIMIT_S:-520} i pids=() shard_rc threads
  local gpu=(--set=distributed.backend=NCCL --set=train.bf16=true)
  local sweep=(--sweep=experiments/sweeps/synthetic_ablation.pbtxt --work_dir="$work" "${gpu[@]}"
    --set=model.clip.checkpoint="$clip/clip.pt" --set=model.clip.bpe_vocab="$clip/world_bpe.txt.gz")
  [ -x "$bin" ] || { echo "zegclip not built"; return 1; }
  [[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "ZEGCLIP_ABLATION_JOBS=$jobs: expected a positive integer"; return 1; }
  if [ "$DRY" = 1 ]; then echo "dry run: the ablation is GPU-sized; skipped"; return 0; fi
  if [ ! -f "$clip/clip.pt" ]; then
    (cd "$ROOT" && timeout 120 "$bin" pretrain-clip --config=experiments/synthetic_quickstart.pbtxt \
      --work_dir="$clip" "${gpu[@]}") || return 1
  fi
  mkdir -p "$RESULTS/ablation"
  threads=$(( $(nproc) / jobs )); if (( threads < 1 )); then threads=1; fi
  for ((i = 0; i < jobs; i++)); do
    (cd "$ROOT" && timeout "$limit" "$bin" sweep "${sweep[@]}" --shard="$i/$jobs" --set=train.threads="$threads") \
      >"$RESULTS/ablation/shard_$i.log" 2>&1 &
    pids+=("$!")
  done
  for i in "${!pids[@]}"; do
    shard_rc=0; wait "${pids[$i]}" || shard_rc=$?
    if [ "$shard_rc" -ne 0 ]; then rc=$shard_rc; fi
    echo "ablation shard $i/$jobs: exit $shard_rc: $(grep -m1 "^shard $i/$jobs: " "$RESULTS/ablation/shard_$i.log" \
      || tail -n 1 "$RESULTS/ablation/shard_$i.log")"
  done
  if [ "$rc" -eq 0 ]; then (cd "$ROOT" && timeout "$limit" "$bin" sweep "${sweep[@]}") || rc=$?; fi
  (cd "$work" && find . -maxdepth 2 \( -name 'sweep.*' -o -name 'eval.json' -o -name 'sweep_point.json' \
    -o -name 'manifest.json' \) -exec cp --parents {} "$RESULTS/ablation/" \;) 2>/dev/null
  cp "$clip/pretrain.json" "$RESULTS/ablation/" 2>/dev/null
  return "$rc"
}

# Where the time goes (a dry run: the tiny model on the CPU). On the GPU also kernel by kernel: Chrome traces of the
# reference (torch.profiler) and of the C++ build (inference_benchmark --trace_out, Kineto) at bf16 batch 16 whole
# image, split by the same categories (summarize_trace.py) and set side by side, and the attention backend SDPA picks
# for the C++ encoder's q/k/v. Debian's LibTorch has no Kineto: a dry run skips the traces.
stage_profile() {
  local size=(--device=cuda) cpp=(--device=cuda --iters=5 --warmup=2) ref_trace=() ref_iters=5
  local summarize=$ROOT/benchmarks/reference/summarize_trace.py
  local ref_trace_json=$RESULTS/reference_trace_bf16_b16.json cpp_trace_json=$RESULTS/cpp_trace_bf16_b16.json
  if [ "$DRY" = 1 ]; then
    size=(--device=cpu --tiny); cpp=(--device=cpu --tiny --iters=2 --warmup=1)
  else
    ref_trace=(--trace_out="$ref_trace_json")
  fi
  local rc=0
  "$PYTHON" "$ROOT/benchmarks/reference/profile_reference.py" "${size[@]}" --iters="$ref_iters" "${ref_trace[@]}" \
    --json_out="$RESULTS/profile_reference.json" || rc=1
  if [ "$DRY" = 1 ]; then
    echo "dry run: Debian's LibTorch has no Kineto profiler; the C++ and reference kernel traces are skipped"
  else
    "$BUILD/bin/inference_benchmark" --device=cuda --inputs=whole --precisions=bf16 --batches=16 --iters=3 \
      --warmup=3 --trace_out="$cpp_trace_json" --trace_iters=3 --sdp_choice \
      --json_out="$RESULTS/profile_cpp_trace_row.json" || rc=1
    local baseline=()
    if [ -f "$ref_trace_json" ] && "$PYTHON" "$summarize" "$ref_trace_json" --iters="$ref_iters" --label=reference \
         --json_out="$RESULTS/profile_reference_kernels.json"; then
      baseline=(--baseline_json="$RESULTS/profile_reference_kernels.json")
    else
      echo "no reference kernel summary: the C++ table stands alone"; rc=1
    fi
    echo
    if [ -f "$cpp_trace_json" ]; then
      "$PYTHON" "$summarize" "$cpp_trace_json" --label=C++ --json_out="$RESULTS/profile_cpp_kernels.json" \
        "${baseline[@]}" || rc=1
    else
      echo "no C++ trace ($cpp_trace_json)"; rc=1
    fi
  fi
  "$BUILD/bin/inference_benchmark" "${cpp[@]}" --breakdown --inputs=whole --batches=1,16 \
    --json_out="$RESULTS/profile_cpp_inference.json" || rc=1
  "$BUILD/bin/train_step_benchmark" "${cpp[@]}" --breakdown --json_out="$RESULTS/profile_cpp_train_step.json" || rc=1
  return "$rc"
}

stage_nccl() {
  local bin=$BUILD/bin/allreduce_benchmark
  [ -x "$bin" ] || { echo "allreduce_benchmark not built"; return 1; }
  if [ "$DRY" = 1 ]; then
    "$bin" --backend=auto --max_bytes=1048576 --seconds_per_size=0.02 --vit_layers=1 --vit_iters=1
  else
    "$bin" --backend=nccl --max_bytes=$((256 << 20)) --seconds_per_size=0.1 --vit_iters=5
  fi
}

stage_benchmarks() {
  local deadline=$1
  local flags=(--bin_dir="$BUILD/bin" --out="$RESULTS/bench" --python="$PYTHON" --deadline_s="$deadline")
  if [ "$DRY" = 1 ]; then flags+=(--device=cpu --quick); else flags+=(--device=cuda); fi
  # shellcheck disable=SC2206  # word-splitting the extra flags is intended
  flags+=($BENCH_FLAGS)
  bash "$ROOT/benchmarks/run_benchmarks.sh" "${flags[@]}"
}

export -f stage_env stage_deps stage_configure gpu_tests stage_build stage_tests stage_agreement stage_quickstart \
  stage_nccl stage_benchmarks stage_profile stage_ablation

# run_stage NAME LIMIT_S FATAL [ARGS...]: stage_NAME under timeout (capped by the budget left), output to
# $RESULTS/NAME.log and the console, one line in SUMMARY.txt. FATAL=1 ends the script when the stage fails.
run_stage() {
  local name=$1 limit=$2 fatal=$3; shift 3
  local left=$(( BUDGET_S - $(elapsed) - 10 ))
  (( limit > left )) && limit=$left
  if (( limit < 10 )); then
    printf '%-11s SKIPPED  (time budget spent)\n' "$name" | tee -a "$summary"
    failures=$((failures + 1))
    if [ "$fatal" = 1 ]; then finish; fi
    return 1
  fi
  echo "=== [$(elapsed)s] stage $name (limit ${limit}s) ==="
  local t0 rc=0
  t0=$(date +%s)
  timeout --kill-after=10 "$limit" bash -c "set -uo pipefail; stage_$name $*" 2>&1 | tee "$RESULTS/$name.log" || rc=$?
  local took=$(( $(date +%s) - t0 ))
  if [ "$rc" -eq 0 ]; then
    printf '%-11s ok       %4ds\n' "$name" "$took" | tee -a "$summary"
    return 0
  fi
  local why="exit $rc"; [ "$rc" -eq 124 ] && why="timed out after ${limit}s"
  printf '%-11s FAILED   %4ds  (%s; see %s.log)\n' "$name" "$took" "$why" "$name" | tee -a "$summary"
  failures=$((failures + 1))
  if [ "$fatal" = 1 ]; then finish; fi
  return 1
}

finish() {
  {
    echo
    echo "gpu_check: $failures stage(s) failed, $(elapsed)s of ${BUDGET_S}s; everything in $OUT/results.tgz"
    if [ -f "$RESULTS/agreement.log" ]; then sed -n '/^ours /,/^reference_agreement/p' "$RESULTS/agreement.log"; fi
    if [ -f "$RESULTS/bench/benchmark_table.txt" ]; then cat "$RESULTS/bench/benchmark_table.txt"; fi
  } | tee -a "$summary" || true
  exec 1>&- 2>&-
  wait "$tee_pid" 2>/dev/null || true  # let tee finish writing gpu_check.log
  cp "$summary" "$RESULTS/gpu_check.log" "$OUT/" 2>/dev/null || true
  tar czf "$OUT/results.tgz" -C "$RESULTS" . 2>/dev/null || true
  exit $(( failures > 0 ? 1 : 0 ))
}

STAGES=${ZEGCLIP_GPU_STAGES:-tests,agreement,benchmarks,profile,quickstart,nccl}

echo "gpu_check: budget ${BUDGET_S}s, dry run: $DRY, stages: $STAGES, output: $OUT"
run_stage env 60 1
run_stage deps 60 1
run_stage configure 120 1
if [ "$DRY" = 1 ]; then build_limit=4800; else build_limit=330; fi
run_stage build "$build_limit" 0 || true
for stage in ${STAGES//,/ }; do
  case "$stage" in
    tests) run_stage tests 150 0 || true ;;
    agreement) run_stage agreement 90 0 || true ;;
    quickstart) if [ "$DRY" = 1 ]; then run_stage quickstart 900 0 || true; else run_stage quickstart 200 0 || true; fi ;;
    nccl) run_stage nccl 45 0 || true ;;
    profile) run_stage profile 120 0 || true ;;
    ablation) run_stage ablation 580 0 || true ;;
    benchmarks)
      bench_deadline=$(( BUDGET_S - $(elapsed) - 25 ))
      # Stages listed after the benchmarks keep their share of the budget.
      rest=${STAGES#*benchmarks}
      [[ "$rest" == *profile* ]] && bench_deadline=$(( bench_deadline - 80 ))
      [[ "$rest" == *quickstart* ]] && bench_deadline=$(( bench_deadline - 120 ))
      [[ "$rest" == *nccl* ]] && bench_deadline=$(( bench_deadline - 20 ))
      run_stage benchmarks $(( bench_deadline + 15 )) 0 "$bench_deadline" || true ;;
    *) echo "gpu_check: unknown stage '$stage' in ZEGCLIP_GPU_STAGES" ;;
  esac
done
finish
