#!/usr/bin/env bash
# make_report.py on a hand-made run directory: both reports written, numbers and figures present, HTML offline.
set -eu
script=tools/report/make_report.py
export MPLCONFIGDIR=$TEST_TMPDIR/mpl
run=$TEST_TMPDIR/run
mkdir -p "$run/examples"
for i in 1 2 3 4 5; do echo "{\"iter\": $((i*10)), \"lr\": 0.00$i, \"loss\": $((10-i)).5, \"focal\": 0.$i}"; done > "$run/metrics.jsonl"
cat > "$run/eval.json" <<'JSON'
{"pAcc": 91.25, "mIoU": 50.0, "mIoU_seen": 60.0, "mIoU_unseen": 40.0, "hIoU": 48.0,
 "classes": [{"name": "red plain", "seen": true, "iou": 60.0}, {"name": "blue plain", "seen": false, "iou": 40.0},
             {"name": "absent", "seen": true, "iou": null}]}
JSON
echo '{"git_commit": "abc123", "seed": 7, "versions": {"libtorch": "1.13.0"}}' > "$run/manifest.json"
printf 'P6\n4 4\n255\n' > "$run/examples/000_image.ppm"; head -c 48 /dev/zero | tr '\0' '\200' >> "$run/examples/000_image.ppm"
printf 'P5\n4 4\n255\n' > "$run/examples/000_label.pgm"; printf '\0\0\1\1\0\0\1\1\377\377\1\1\377\377\1\1' >> "$run/examples/000_label.pgm"
cp "$run/examples/000_label.pgm" "$run/examples/000_pred.pgm"

/usr/bin/python3 "$script" "$run" > /dev/null
for f in report.md report.html figures/losses.png figures/lr.png figures/class_iou.png figures/examples.png; do
  test -s "$run/$f" || { echo "missing $f"; exit 1; }
done
grep -q "| 91.2 | 50.0 | 60.0 | 40.0 | 48.0 |" "$run/report.md" || { echo "summary row wrong"; cat "$run/report.md"; exit 1; }
grep -q "git_commit: abc123" "$run/report.md" || { echo "provenance missing"; exit 1; }
test "$(grep -o 'data:image/png;base64' "$run/report.html" | wc -l)" -eq 4 || { echo "figures not embedded"; exit 1; }
if grep -q 'src="http' "$run/report.html"; then echo "HTML must work offline"; exit 1; fi

# Periodic validation lines, a resume that redid iteration 30, the calibration study, the experiment's name.
cp "$run/metrics.jsonl" "$run/metrics.orig"
cat >> "$run/metrics.jsonl" <<'JSONL'
{"mode": "eval", "iter": 20, "val_hIoU": 10, "val_mIoU_seen": 20, "val_mIoU_unseen": 5}
{"mode": "resume", "checkpoint": "x/iter_20.ckpt", "iter": 20}
{"mode": "train", "iter": 30, "lr": 0.003, "loss": 7.5, "focal": 0.3}
{"mode": "eval", "iter": 40, "val_hIoU": 12, "val_mIoU_seen": 22, "val_mIoU_unseen": 6}
JSONL
/usr/bin/python3 - "$run/eval.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j.update({"images": 4, "hIoU_at_offset_0.000": "48.00", "hIoU_at_offset_0.100": "51.50"})
json.dump(j, open(sys.argv[1], "w"))
PY
printf 'name: "toy_run"\ndescription: "a hand-made run"\nseed: 7\n' > "$run/config.pbtxt"
/usr/bin/python3 "$script" "$run" > /dev/null
test -s "$run/figures/validation.png" || { echo "validation curve missing"; exit 1; }
test "$(grep -o 'data:image/png;base64' "$run/report.html" | wc -l)" -eq 5 || { echo "5 figures expected"; exit 1; }
grep -q "^# zegclip run: run (toy_run)" "$run/report.md" || { echo "title lacks the experiment name"; exit 1; }
grep -q "Seen-score calibration (hIoU by offset): 0: 48.0, 0.1: 51.5" "$run/report.md" || { echo "calibration"; exit 1; }
grep -q "4 validation images" "$run/report.md" || { echo "image count missing"; exit 1; }
grep -q "<summary>Resolved experiment (config.pbtxt)</summary><pre>name: &quot;toy_run&quot;" "$run/report.html" ||
  { echo "config missing from the HTML"; exit 1; }
mv "$run/metrics.orig" "$run/metrics.jsonl"

echo 'not json' >> "$run/metrics.jsonl"
if err=$(/usr/bin/python3 "$script" "$run" 2>&1); then echo "bad metrics accepted"; exit 1; fi
grep -q "metrics.jsonl: line 6: not JSON" <<<"$err" || { echo "bad error: $err"; exit 1; }

# Every broken input is one "error: <file>: <what>" line, exit 1, never a traceback.
broken() {  # broken NAME EXPECTED_LINE: run on $TEST_TMPDIR/broken
  local err rc=0
  err=$(/usr/bin/python3 "$script" "$TEST_TMPDIR/broken" 2>&1 >/dev/null) || rc=$?
  if [ "$rc" -ne 1 ] || [ "$err" != "$2" ]; then echo "$1: exit $rc, got: $err"; exit 1; fi
}
fresh() { rm -rf "$TEST_TMPDIR/broken" && mkdir -p "$TEST_TMPDIR/broken" && cp "$run/eval.json" "$TEST_TMPDIR/broken/"; }
b=$TEST_TMPDIR/broken
fresh; echo '{"classes": {"a": 1}}' >"$b/eval.json"
broken "classes not a list" "error: $b/eval.json: 'classes' is dict, expected a list"
fresh; echo '[1, 2]' >"$b/eval.json"
broken "eval.json not an object" "error: $b/eval.json: expected a JSON object, found list"
fresh; mkdir "$b/manifest.json"
broken "a folder for a file" "error: $b/manifest.json: is a directory"
fresh; echo '[3]' >"$b/metrics.jsonl"
broken "a metrics line that is no object" "error: $b/metrics.jsonl: line 1: expected a JSON object, found list"
fresh; printf 'report {\n  example_images: 4\n  html: false\n}\n' >"$b/config.pbtxt"; echo stale >"$b/report.html"
/usr/bin/python3 "$script" "$b" >"$b/out" || { echo "html: false failed"; exit 1; }
test -s "$b/report.md" && test ! -e "$b/report.html" || { echo "html: false wrote or kept report.html"; exit 1; }
grep -qx "$b/report.md" "$b/out" || { echo "html: false should print report.md"; exit 1; }

mkdir -p "$TEST_TMPDIR/sweep"
head -5 "$run/metrics.jsonl" > "$run/m" && mv "$run/m" "$run/metrics.jsonl"
echo '{"model.loss.kind": "EL"}' > "$run/sweep_point.json"
/usr/bin/python3 "$script" --sweep "$TEST_TMPDIR/sweep" "$run" > /dev/null
grep -q "| run | model.loss.kind | pAcc | mIoU(S) | mIoU(U) | hIoU |" "$TEST_TMPDIR/sweep/sweep.md"
grep -q "| run | EL | 91.2 | 60.0 | 40.0 | 48.0 | \[report\](../run/report.html) |" "$TEST_TMPDIR/sweep/sweep.md"

# Seeds folded into one row: mean ± sample standard deviation (50, 54 -> 52.0 ± 2.8); an unfinished seed counted.
seeds=$TEST_TMPDIR/seeds
for s in 0 1 2; do
  mkdir -p "$seeds/lr=0.1__seed=$s"
  echo "{\"lr\": \"0.1\", \"seed\": \"$s\"}" > "$seeds/lr=0.1__seed=$s/sweep_point.json"
done
echo '{"pAcc": 50, "mIoU_seen": 10, "mIoU_unseen": null, "hIoU": 1}' > "$seeds/lr=0.1__seed=0/eval.json"
echo '{"pAcc": 54, "mIoU_seen": 13, "mIoU_unseen": 7, "hIoU": 1}' > "$seeds/lr=0.1__seed=1/eval.json"
/usr/bin/python3 "$script" --sweep "$seeds" "$seeds"/lr=0.1__seed=* > /dev/null
grep -q "^| lr=0.1 | 0.1 | 2 of 3 | 52.0 ± 2.8 | 11.5 ± 2.1 | 7.0 | 1.0 ± 0.0 | seed=0 (no report) seed=1 (no report) seed=2 (unfinished) |$" \
  "$seeds/sweep.md" || { echo "seed row wrong"; cat "$seeds/sweep.md"; exit 1; }
/usr/bin/python3 -c "
import json, sys
p = json.load(open(sys.argv[1]))['points']
assert len(p) == 1 and p[0]['metrics']['pAcc'] == {'mean': 52.0, 'std': 8 ** 0.5, 'n': 2, 'values': [50, 54]}, p
" "$seeds/sweep.json"
# The golden run files the C++ writers produce byte for byte (zegclip/report:records_test): the script reads them.
golden=$TEST_TMPDIR/golden
mkdir -p "$golden"
cp "$1" "$golden/eval.json"
cp "$2" "$golden/pretrain.json"
/usr/bin/python3 "$script" "$golden" > /dev/null
grep -q "| 91.5 | 60.0 | 72.0 | 41.5 | 52.5 |" "$golden/report.md" || { echo "golden summary row"; cat "$golden/report.md"; exit 1; }
grep -q "120 validation images" "$golden/report.md" || { echo "golden image count"; exit 1; }
grep -q "Seen-score offset 0.1, chosen on the held-out split 'calib' (40 images).*0: 50.0, 0.1: 53.5, 0.2: 51.2" \
  "$golden/report.md" || { echo "golden calibration line"; cat "$golden/report.md"; exit 1; }
grep -q "(hIoU by offset): 0: 49.8, 0.1: 52.5" "$golden/report.md" || { echo "golden on-val offsets"; exit 1; }
grep -q "^- retrieval_top1_unseen: 62.5$" "$golden/report.md" || { echo "golden pretrain"; cat "$golden/report.md"; exit 1; }
echo PASS
