#!/usr/bin/env bash
# make_bench_report.py on the stored H200 results: the ratio column is the C++ rate over the reference's for the same
# row (113.11 / 82.33 = 1.37), the goal verdicts, the agreement table, and a clear error for a missing folder.
set -u
unset XML_OUTPUT_FILE GTEST_OUTPUT TEST_PREMATURE_EXIT_FILE
dir=$(dirname "$0")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}

/usr/bin/python3 "$dir/make_bench_report.py" --notes="$dir/REPORT_NOTES.md" \
  --run="H200=$dir/results/h200_2026-11-27" --out="$tmp/report.md" || exit 1
check "fp32 batch-1 row with both ratios" grep -qF "| whole512 fp32 b1 | 113.1 | 82.3 | 101.1 | 1.37 | 1.12 |" "$tmp/report.md"
check "bf16 batch-16 row" grep -qF "| whole512 bf16 b16 | 830.5 | 895.0 | 965.8 | 0.93 | 0.86 |" "$tmp/report.md"
check "training-step row" grep -qF "| voc512 bf16 b4 | 92.3 | 97.4 | 90.9 | 0.95 | 1.01 |" "$tmp/report.md"
check "goal verdicts" grep -qF "inference fp32 batch 1 vs eager fp32: 1.37× (goal ≥ 2.0×, not met)" "$tmp/report.md"
check "agreement table" grep -qF "| fused_fp32 | eager_fp32 | 1.72e-08 | 1.3e-06 |" "$tmp/report.md"
check "notes included" grep -q "^## Reading the numbers" "$tmp/report.md"
check "C++ phases" grep -qF "| inference whole512 bf16 b16 | encoder 17.77, head 1.94, upsample 0.30 |" "$tmp/report.md"

/usr/bin/python3 "$dir/make_bench_report.py" --run="X=$tmp/nowhere" >"$tmp/err.txt" 2>&1
rc=$?
check "missing folder: non-zero exit naming it" bash -c "[ $rc -ne 0 ] && grep -q 'nowhere' '$tmp/err.txt'"

echo "$fails failed"
[ "$fails" -eq 0 ]
