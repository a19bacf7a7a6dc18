#!/usr/bin/env bash
# The whole quickstart pipeline at toy size: every stage runs, leaves its files, and a second run reuses them.
set -euo pipefail
bin=tools/zegclip
work=$TEST_TMPDIR/q
export MPLCONFIGDIR=$TEST_TMPDIR/mpl
source experiments/quickstart_toy_sizes.sh
out=$($bin quickstart --config=experiments/synthetic_quickstart.pbtxt --work_dir="$work" "${small[@]}" 2>&1)
for f in clip/clip.pt clip/world_bpe.txt.gz clip/pretrain.json clip/manifest.json clip/metrics.jsonl \
         baseline/eval.json baseline/report.html zegclip/eval.json zegclip/report.html zegclip/report.md \
         zegclip/config.pbtxt zegclip/manifest.json zegclip/metrics.jsonl zegclip/iter_3.ckpt \
         zegclip/examples/000_pred.pgm zegclip/figures/class_iou.png; do
  test -s "$work/$f" || { echo "missing $f"; echo "$out"; exit 1; }
done
grep -q "hIoU" <<<"$out" || { echo "no summary"; echo "$out"; exit 1; }
/usr/bin/python3 - "$work" <<'PY'
import json, math, sys
work = sys.argv[1]
e = json.load(open(f"{work}/zegclip/eval.json"))
assert e["images"] == 8, e["images"]
assert len(e["classes"]) == 36 and sum(not c["seen"] for c in e["classes"]) == 8
for key in ("pAcc", "mIoU_seen"):
    assert 0 <= e[key] <= 100, (key, e[key])
m = json.load(open(f"{work}/zegclip/manifest.json"))
assert m["subcommand"] == "train" and m["world_size"] == 1 and "libtorch" in m["versions"]
# The seen-score offset was chosen on the held-out calib stream among the candidates, and val used it.
assert e["calibration_split"] == "calib" and e["calibration_images"] == 8, e
assert float(e["calibration_chosen_offset"]) in (0, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5), e
assert e["seen_score_offset"] == e["calibration_chosen_offset"], e
p = json.load(open(f"{work}/clip/pretrain.json"))
assert p["retrieval_images"] == 72, p
PY
# A second run reuses every stage (no progress bars, same numbers).
again=$($bin quickstart --config=experiments/synthetic_quickstart.pbtxt --work_dir="$work" "${small[@]}" 2>&1)
if grep -q "s/it" <<<"$again"; then echo "a finished stage ran again"; echo "$again"; exit 1; fi
# The summary's numbers (the first run also printed each stage's calibration choice as it happened).
summary() { grep hIoU | grep -v "^calibration on"; }
test "$(summary <<<"$out")" = "$(summary <<<"$again")" || { echo "reused numbers differ"; exit 1; }
# A changed experiment never reuses results of the old one: one error line asking for --force, nothing rewritten.
# The loss is the head's: the CLIP and the baseline still stand (their fields are unchanged), ZegCLIP's do not.
cp "$work/zegclip/eval.json" "$work/eval.before"
changed=$($bin quickstart --config=experiments/synthetic_quickstart.pbtxt --work_dir="$work" "${small[@]}" \
  --set=model.loss.kind=EL 2>&1 >/dev/null) && rc=0 || rc=$?
test $rc -eq 1 || { echo "a changed experiment reused the stages (exit $rc)"; echo "$changed"; exit 1; }
grep -q "^error: quickstart: $work/zegclip holds the results of another experiment: model.loss.kind is NEL there but EL now; rerun with --force" \
  <<<"$changed" || { echo "unexpected error for a changed experiment"; echo "$changed"; exit 1; }
test "$(grep -c . <<<"$(grep -v '^==' <<<"$changed")")" -eq 1 || { echo "more than one error line"; echo "$changed"; exit 1; }
cmp -s "$work/zegclip/eval.json" "$work/eval.before" || { echo "eval.json was rewritten"; exit 1; }
echo PASS
