#!/usr/bin/env bash
# The C++ model on the PyTorch reference's tiny random weights: every fp32 comparison within 1e-4 relative and the
# argmax identical; then one decoder weight nudged in the file must turn the verdict to DISAGREE (exit 1).
set -u
unset XML_OUTPUT_FILE GTEST_OUTPUT TEST_PREMATURE_EXIT_FILE
dir=$(dirname "$0")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
python=/usr/bin/python3  # Debian's python3-torch (tools/setup.sh)
fails=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}

"$python" "$dir/reference/export_agreement.py" --out="$tmp/agree" --tiny --batch=2 --classes=5 || exit 1
"$dir/reference_agreement" --dir="$tmp/agree" --json_out="$tmp/agree.json" >"$tmp/out.txt" 2>&1
rc=$?
cat "$tmp/out.txt"
check "agrees (exit 0)" test "$rc" -eq 0
check "both kernels compared" test "$(grep -cE '^(explicit|fused)_fp32 +eager_fp32' "$tmp/out.txt")" -eq 2
check "json: every row within 1e-4 and argmax identical" "$python" - "$tmp/agree.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert len(rows) >= 2, rows
for r in rows:
    assert r["max_rel"] <= 1e-4 and r["argmax_agree"] == 1.0 and r["pass"], r
PY

# Nudge one decoder weight: the outputs must move and the check must say so.
"$python" - "$tmp/agree/weights.tensors" <<'PY'
import sys, torch
path = sys.argv[1]
state = torch.load(path)
state["decode_head.decoder_1.layers.1.multihead_attn.k.weight"] += 0.05
torch.save(state, path)
PY
"$dir/reference_agreement" --dir="$tmp/agree" >"$tmp/bad.txt" 2>&1
rc=$?
cat "$tmp/bad.txt"
check "perturbed weight disagrees (exit 1)" test "$rc" -eq 1
check "perturbed rows marked FAIL" grep -q "FAIL" "$tmp/bad.txt"

"$dir/reference_agreement" --dir="$tmp/nowhere" >"$tmp/missing.txt" 2>&1
rc=$?
check "missing folder: exit 2 naming the file" bash -c "[ $rc -eq 2 ] && grep -q 'nowhere/weights.tensors' '$tmp/missing.txt'"

echo "$fails failed"
[ "$fails" -eq 0 ]
