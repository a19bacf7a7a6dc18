#!/usr/bin/env bash
# Smoke test of the benchmark binaries on the tiny model (--tiny --quick, one thread): exit codes, the JSON rows'
# fields and invariants (ordered percentiles, images/s = it/s x batch, positive peak memory, a phase breakdown that
# adds up to the step time), the C++/reference
# ratio against a hand-written reference file, and a bad flag's error naming the flag; the loader benchmark's rows.
set -u
unset XML_OUTPUT_FILE GTEST_OUTPUT TEST_PREMATURE_EXIT_FILE
dir=$(dirname "$0")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}

# A reference with a known speed for one row and a failed row of another variant.
cat >"$tmp/ref.json" <<'EOF'
{"schema": "zegclip-benchmark/1", "implementation": "pytorch", "benchmark": "inference", "device": "cpu",
 "device_name": "test", "torch_version": "0", "threads": 1, "mem_kind": "process_rss_peak", "config": {},
 "rows": [
  {"task": "inference", "input": "whole64", "precision": "fp32", "batch": 1, "variant": "authors", "status": "ok",
   "images_per_s": 1000.0, "iters_per_s": 1000.0, "peak_mem_mb": 1.0,
   "latency_ms": {"mean": 1, "p50": 1, "p90": 1, "p99": 1}},
  {"task": "inference", "input": "whole64", "precision": "fp32", "batch": 1, "variant": "sdpa",
   "status": "error: out of memory", "latency_ms": {}}]}
EOF

"$dir/inference_benchmark" --tiny --quick --threads=1 --iters=3 --json_out="$tmp/inf.json" \
  --reference_json="$tmp/ref.json" >"$tmp/inf.out" 2>&1
rc=$?
cat "$tmp/inf.out"
check "inference_benchmark exits 0 (rc=$rc)" test "$rc" -eq 0
check "table shows the ratio column" grep -q "authors img/s  C++/ref" "$tmp/inf.out"

"$dir/train_step_benchmark" --tiny --quick --threads=1 --breakdown --json_out="$tmp/train.json" >"$tmp/train.out" 2>&1
rc=$?
cat "$tmp/train.out"
check "train_step_benchmark exits 0 (rc=$rc)" test "$rc" -eq 0

python3 - "$tmp/inf.json" "$tmp/train.json" <<'EOF'
import json, sys
inf, train = (json.load(open(p)) for p in sys.argv[1:3])
fails = []
def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)
for report, bench, keys in ((inf, "inference", ["inference/whole64/fp32/b1", "inference/slide64x86/fp32/b1"]),
                            (train, "train_step", ["train_step/voc64/fp32/b1", "train_step/coco64/fp32/b1"])):
    expect(report["schema"] == "zegclip-benchmark/1" and report["implementation"] == "cpp", bench + " header")
    expect(report["benchmark"] == bench and report["device"] == "cpu" and report["threads"] == 1, bench + " setup")
    expect([r["key"] for r in report["rows"]] == keys, bench + " row keys " + str([r["key"] for r in report["rows"]]))
    for r in report["rows"]:
        lat = r["latency_ms"]
        expect(r["status"] == "ok", r["key"] + " status ok")
        expect(r["iters"] == report["config"]["iters"] and r["warmup"] == 1, r["key"] + " iteration counts")
        expect(0 < lat["p50"] <= lat["p90"] <= lat["p99"], r["key"] + " percentiles ordered")
        expect(abs(r["images_per_s"] - r["iters_per_s"] * r["batch"]) <= 1e-9 * r["images_per_s"],
               r["key"] + " images/s = it/s x batch")
        # mean latency and it/s describe the same samples: it/s = 1000 / mean ms
        expect(abs(r["iters_per_s"] * lat["mean"] - 1000.0) < 1e-6 * 1000, r["key"] + " it/s = 1000 / mean ms")
        expect(r["peak_mem_mb"] > 10, r["key"] + " peak memory > 10 MB")
        if bench == "train_step":  # --breakdown: the phases cover the step (all but zero_grad and the last sync)
            phases = r.get("phases_ms", {})
            total = sum(phases.values())
            expect(sorted(phases) == ["backward", "forward", "loss", "optimizer"], r["key"] + " phases " + str(phases))
            expect(0.5 * lat["mean"] < total <= 1.05 * lat["mean"], r["key"] + " phases sum to the step time")
whole = inf["rows"][0]
ratio = whole.get("ratio_vs_reference", {})
expect(abs(ratio.get("authors", -1) - whole["images_per_s"] / 1000.0) < 1e-9 * max(1.0, ratio.get("authors", 1)),
       "ratio = C++ img/s / reference img/s (%s)" % ratio)
expect("sdpa" not in ratio, "no ratio against a failed reference row")
expect("ratio_vs_reference" not in inf["rows"][1], "no ratio for a row the reference lacks")
sys.exit(1 if fails else 0)
EOF
check "JSON checks" test $? -eq 0

"$dir/inference_benchmark" --tiny --precisions=fp16 >"$tmp/bad.out" 2>&1
rc=$?
check "bad --precisions exits 2 (rc=$rc)" test "$rc" -eq 2
check "error names the flag" grep -q -- "--precisions: 'fp16'" "$tmp/bad.out"

# The loader benchmark on a small exported world: one row per worker count, ratio = pipeline / decode-only img/s.
"$dir/loader_benchmark" --images=8 --image_size=128 --batch=2 --batches=2 --workers=0,2 \
  --json_out="$tmp/loader.json" >"$tmp/loader.out" 2>&1
rc=$?
cat "$tmp/loader.out"
check "loader_benchmark exits 0 (rc=$rc)" test "$rc" -eq 0
check "loader JSON: rows, rates and ratios" /usr/bin/python3 - "$tmp/loader.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["images"] == 8 and j["decode_only_images_per_s"] > 0, j
assert [r["workers"] for r in j["rows"]] == [0, 2], j["rows"]
for r in j["rows"]:
    assert r["images_per_s"] > 0, r
    assert abs(r["ratio_vs_decode_only"] - r["images_per_s"] / j["decode_only_images_per_s"]) < 1e-9, r
assert j["render_images_per_s"] > 0, j
assert abs(j["render_ratio_vs_decode_only"] - j["render_images_per_s"] / j["decode_only_images_per_s"]) < 1e-9, j
PY
"$dir/loader_benchmark" --workers=two >"$tmp/loader_bad.out" 2>&1
rc=$?
check "bad --workers exits 1 naming the flag" bash -c "[ $rc -eq 1 ] && grep -q -- \"--workers: 'two'\" '$tmp/loader_bad.out'"

echo "$fails failure(s)"
test "$fails" -eq 0
