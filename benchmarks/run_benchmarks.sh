#!/usr/bin/env bash
# Runs the PyTorch reference (benchmarks/reference/zegclip_reference.py) and the C++ benchmark binaries on the same
# rows, one after the other on this machine, and prints the combined table with the C++/reference ratios.
#
#   benchmarks/run_benchmarks.sh --quick                         # CPU smoke run (bazel-built binaries)
#   bazel run //benchmarks:run_benchmarks -- --quick --out=/tmp/bench
#   benchmarks/run_benchmarks.sh --device=cuda --bin_dir=build/gpu/bin --out="$OUT/bench"   # GPU box (CMake)
#
# Options of this script:
#   --out=DIR            where the JSON files, logs and table go (default: a new temporary folder)
#   --bin_dir=DIR        folder of inference_benchmark / train_step_benchmark (default: beside this script, the
#                        Bazel output, then build/bin)
#   --python=PYTHON      interpreter with torch (default: the first of $PYTHON, python3, /usr/bin/python3 that
#                        imports torch)
#   --benchmarks=LIST    inference,train_step (default both)
#   --inference_batches=LIST  batch sizes of the inference rows only (the training step keeps its own)
#   --deadline_s=N       finish within N seconds: every process gets an equal share of the time left (unused time
#                        rolls over) as --time_budget_s, and is stopped at the deadline
# Forwarded to both implementations: --device --quick --tiny --batches --precisions --iters --warmup --threads
# --time_budget_s (per process). Only to inference: --inputs --classes --prompt_tokens. Only to train_step:
# --recipes --voc_classes --coco_classes --image_size --breakdown. Only to the reference: --variants.
# Exit status: 0 when every step succeeded; otherwise 1 (the other steps still ran).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out="" bin_dir="" python="" benchmarks="inference,train_step" deadline_s=0
common=() inference_only=() train_only=() reference_only=()
for arg in "$@"; do
  case "$arg" in
    --out=*) out=${arg#*=} ;;
    --bin_dir=*) bin_dir=${arg#*=} ;;
    --python=*) python=${arg#*=} ;;
    --benchmarks=*) benchmarks=${arg#*=} ;;
    --deadline_s=*) deadline_s=${arg#*=} ;;
    --inference_batches=*) inference_only+=("--batches=${arg#*=}") ;;
    --device=* | --quick | --tiny | --batches=* | --precisions=* | --iters=* | --warmup=* | --threads=* | \
      --time_budget_s=*) common+=("$arg") ;;
    --inputs=* | --classes=* | --prompt_tokens=*) inference_only+=("$arg") ;;
    --recipes=* | --voc_classes=* | --coco_classes=* | --image_size=* | --breakdown) train_only+=("$arg") ;;
    --variants=*) reference_only+=("$arg") ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "run_benchmarks.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

[ -n "$out" ] || out=$(mktemp -d /tmp/zegclip_bench.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -z "$python" ]; then
  for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$candidate" -c 'import torch' >/dev/null 2>&1; then python=$candidate; break; fi
  done
fi
reference="$here/reference/zegclip_reference.py"
[ -f "$reference" ] || reference="${RUNFILES_DIR:-$0.runfiles}/zegclip/benchmarks/reference/zegclip_reference.py"

find_binary() {  # find_binary NAME -> path or empty
  local d
  for d in "$bin_dir" "$here" "${RUNFILES_DIR:-$0.runfiles}/zegclip/benchmarks" "$here/../bazel-bin/benchmarks" \
           "$here/../build/bin"; do
    if [ -n "$d" ] && [ -x "$d/$1" ] && [ -f "$d/$1" ]; then echo "$d/$1"; return; fi
  done
}

start=$(date +%s)
IFS=',' read -r -a selected <<<"$benchmarks"
processes_left=$(( 2 * ${#selected[@]} ))
# budgeted NAME COMMAND...: runs COMMAND with --time_budget_s = its share of the time left (when --deadline_s is
# set), killed at the deadline.
budgeted() {
  local name=$1; shift
  if [ "$deadline_s" -le 0 ]; then "$@"; return; fi
  local left=$(( deadline_s - ($(date +%s) - start) ))
  local share=$(( left / (processes_left > 0 ? processes_left : 1) ))
  processes_left=$(( processes_left - 1 ))
  if [ "$left" -le 5 ]; then echo "run_benchmarks.sh: deadline reached, $name not run" >&2; return 124; fi
  timeout --kill-after=5 "$left" "$@" --time_budget_s="$share"
}

status=0
tables=()
for bench in "${selected[@]}"; do
  case "$bench" in
    inference) extra=(${inference_only[@]+"${inference_only[@]}"}) ;;
    train_step) extra=(${train_only[@]+"${train_only[@]}"}) ;;
    *) echo "run_benchmarks.sh: unknown benchmark '$bench' (inference, train_step)" >&2; status=1; continue ;;
  esac
  flags=(${common[@]+"${common[@]}"} ${extra[@]+"${extra[@]}"})
  ref_json="$out/reference_$bench.json" cpp_json="$out/cpp_$bench.json" table="$out/table_$bench.txt"
  ref_arg=()
  rm -f "$ref_json" "$cpp_json" "$table"
  echo "=== $bench: PyTorch reference ($(date +%T)) ===" >&2
  if [ -z "$python" ]; then
    processes_left=$(( processes_left - 1 ))
    echo "run_benchmarks.sh: no Python with torch found (--python=...): reference skipped" >&2
    status=1
  elif budgeted "reference $bench" "$python" "$reference" --benchmark="$bench" ${flags[@]+"${flags[@]}"} \
        ${reference_only[@]+"${reference_only[@]}"} --json_out="$ref_json" >"$out/reference_$bench.log" 2>&1; then
    ref_arg=(--reference_json="$ref_json")
  else
    echo "run_benchmarks.sh: reference $bench failed; last lines of $out/reference_$bench.log:" >&2
    tail -5 "$out/reference_$bench.log" >&2
    status=1
  fi
  echo "=== $bench: C++ ($(date +%T)) ===" >&2
  binary=$(find_binary "${bench}_benchmark")
  if [ -z "$binary" ]; then
    processes_left=$(( processes_left - 1 ))
    echo "run_benchmarks.sh: ${bench}_benchmark not found (--bin_dir=...); showing the reference alone" >&2
    [ -f "$ref_json" ] && cp "$out/reference_$bench.log" "$table"
    status=1
  elif ! budgeted "C++ $bench" "$binary" ${flags[@]+"${flags[@]}"} ${ref_arg[@]+"${ref_arg[@]}"} \
        --json_out="$cpp_json" >"$table" 2>"$out/cpp_$bench.log"; then
    echo "run_benchmarks.sh: C++ $bench failed; last lines of $out/cpp_$bench.log:" >&2
    tail -5 "$out/cpp_$bench.log" >&2
    status=1
  fi
  [ -s "$table" ] && tables+=("$table")
done

combined="$out/benchmark_table.txt"
{
  echo "ZegCLIP benchmarks, $(date -u +%FT%TZ) on $(hostname); C++/ref > 1 means the C++ build is faster."
  for t in ${tables[@]+"${tables[@]}"}; do cat "$t"; done
} >"$combined"
cat "$combined"
echo "(JSON, logs and this table: $out)"
exit "$status"
