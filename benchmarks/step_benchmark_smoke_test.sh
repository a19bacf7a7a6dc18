#!/usr/bin/env bash
# step_benchmark runs the quickstart's two steps and the two NEL losses once each, and its table and JSON hold every
# row with positive times and op counts; the fused loss issues fewer ops than the composed one.
set -euo pipefail
bin=benchmarks/step_benchmark
json=$TEST_TMPDIR/steps.json
out=$($bin --iters=1 --warmup=0 --precisions=fp32 --json_out="$json" 2>&1)
for row in clip_step zegclip_step nel_loss_composed nel_loss_fused; do
  grep -q "| $row | fp32 |" <<<"$out" || { echo "no $row row"; echo "$out"; exit 1; }
done
/usr/bin/python3 - "$json" <<'PY'
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))["rows"]}
assert set(rows) == {"clip_step", "zegclip_step", "nel_loss_composed", "nel_loss_fused"}, rows
for r in rows.values():
    assert r["ms_median"] > 0 and r["leaf_ops"] > 0 and r["op_calls"] >= r["leaf_ops"], r
assert rows["nel_loss_fused"]["leaf_ops"] < rows["nel_loss_composed"]["leaf_ops"], rows
PY
echo "step_benchmark smoke test passed"
