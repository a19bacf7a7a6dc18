#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer + ASan + UBSan (bazel --config=asan) and runs each for a bounded time on a
# scratch copy of its seed corpus, then prints one line per fuzzer: executions, coverage (libFuzzer's cov/ft), corpus
# size, and what it found. Exits 1 if any fuzzer found a crash, a failed check, a hang or unbounded memory; the
# reproducer is kept under OUT_DIR/<fuzzer>/ (replay it: bazel-bin/<target> FILE).
#
#   bash tools/fuzz/run_fuzzers.sh [SECONDS_EACH=60] [OUT_DIR=/tmp/zegclip_fuzz] [FUZZER_TARGET...]
#
# Keep a found input as a regression seed: copy it into the target's testdata/fuzz/<name>/ folder; the target's
# <name>_corpus_test then replays it in every build.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
out=${2:-/tmp/zegclip_fuzz}
shift 2 2>/dev/null || shift $#
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(bazel query 'attr(tags, "\bfuzzer\b", kind(cc_binary, //...))' 2>/dev/null | sort)
fi
[ ${#targets[@]} -gt 0 ] || { echo "error: no fuzz targets found (bazel query failed?)"; exit 1; }

echo "fuzz: building ${#targets[@]} fuzz targets with --config=asan"
bazel build --config=asan "${targets[@]}" || { echo "error: the fuzz targets do not build"; exit 1; }
bin=$(bazel info --config=asan bazel-bin 2>/dev/null)

status=0
rm -rf "$out"; mkdir -p "$out"
for target in "${targets[@]}"; do
  pkg=${target#//}; pkg=${pkg%%:*}; name=${target##*:}
  # The seed folder: where the corpus test's seeds (testdata/fuzz/<dir>/...) live.
  seed=$(bazel query "labels(data, ${target}_corpus_test)" 2>/dev/null | grep 'testdata/fuzz/' | head -1)
  seed=${seed#//}; seed=${seed/://}
  [ -n "$seed" ] || { echo "fuzz: $name: error: no seed corpus"; status=1; continue; }
  corpus_dir=$(dirname "$seed")
  work="$out/$name"; mkdir -p "$work/corpus" "$work/artifacts"
  [ -d "$corpus_dir" ] && cp "$corpus_dir"/* "$work/corpus/" 2>/dev/null
  log="$work/log.txt"
  # -seed: the same exploration on every run of the same build (ZEGCLIP_FUZZ_SEED=0 picks one at random), so a
  # finding in CI reproduces and a green run means the same inputs passed.
  # -rss_limit_mb: an input that makes a reader allocate without bound is a finding, as a crash is.
  # -timeout: one input taking longer than this is a hang. The runfiles tree holds the data a target reads.
  ASAN_OPTIONS=detect_leaks=0:detect_container_overflow=0:allocator_may_return_null=1:quarantine_size_mb=16 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 OMP_NUM_THREADS=1 \
    "$bin/$pkg/$name" -seed="${ZEGCLIP_FUZZ_SEED:-1}" -max_total_time="$seconds" -rss_limit_mb=3072 -timeout=30 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" >"$log" 2>&1
  rc=$?
  # libFuzzer's last status line (#N ... cov: C ft: F corp: K/...) and its final stats.
  done_line=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$log" | tail -1)
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
  cov=$(echo "$done_line" | sed -nE 's/.*cov: ([0-9]+).*/\1/p')
  ft=$(echo "$done_line" | sed -nE 's/.*ft: ([0-9]+).*/\1/p')
  corp=$(echo "$done_line" | sed -nE 's/.*corp: ([0-9]+).*/\1/p')
  found=$(ls "$work/artifacts" 2>/dev/null | head -3 | tr '\n' ' ')
  if [ $rc -eq 0 ]; then
    echo "fuzz: $name: ${execs:-?} executions in ${seconds}s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}: nothing found"
  else
    status=1
    echo "fuzz: $name: FOUND after ${execs:-?} executions (exit $rc): ${found:-see $log}"
    grep -E 'ERROR: |fuzz check failed|SUMMARY|runtime error|out-of-memory|timeout' "$log" | head -5 | sed 's/^/fuzz:   /'
  fi
done
exit $status
