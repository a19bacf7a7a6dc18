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

echo 'not json' >> "$run/metrics.jsonl"
if err=$(/usr/bin/python3 "$script" "$run" 2>&1); then echo "bad metrics accepted"; exit 1; fi
grep -q "metrics.jsonl: line 6: not JSON" <<<"$err" || { echo "bad error: $err"; exit 1; }

mkdir -p "$TEST_TMPDIR/sweep"
head -5 "$run/metrics.jsonl" > "$run/m" && mv "$run/m" "$run/metrics.jsonl"
echo '{"model.loss.kind": "EL"}' > "$run/sweep_point.json"
/usr/bin/python3 "$script" --sweep "$TEST_TMPDIR/sweep" "$run" > /dev/null
grep -q "| run | model.loss.kind | pAcc | mIoU(S) | mIoU(U) | hIoU |" "$TEST_TMPDIR/sweep/sweep.md"
grep -q "| run | EL | 91.2 | 60.0 | 40.0 | 48.0 |" "$TEST_TMPDIR/sweep/sweep.md"
echo PASS
