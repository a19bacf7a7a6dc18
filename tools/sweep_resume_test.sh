#!/usr/bin/env bash
# `zegclip sweep` with seeds, interrupted and resumed (issue 6's acceptance): a 2-point (loss EL / NEL) x 2-seed
# sweep of experiments/voc_inductive.pbtxt, shrunk to a VOC-layout stand-in dataset and a tiny random CLIP, is
# SIGKILLed while its second run trains, then started again: the finished run is skipped, the killed one resumes from
# its checkpoint, the other two train, and a third start trains nothing. The table (sweep.md / .html / .json) has
# one row per point whose mean ± std over the seeds equals the numbers computed here from the four runs' eval.json
# (sample standard deviation), with links to every run's report. A point that lost its report is given it back, one
# that lost its manifest (killed between eval.json and manifest.json) is evaluated again without retraining.
#   sweep_resume_test.sh ZEGCLIP MAKE_TEST_CLIP MAKE_STANDIN_DATASET STANDIN_LIB
set -u
ZEGCLIP=$1 MAKE_CLIP=$2 MAKE_DATA=$3
source "$4"
export MPLCONFIGDIR=${TEST_TMPDIR:-/tmp}/mpl
work=${TEST_TMPDIR:-$(mktemp -d)}
fails=0
check() {  # check NAME COMMAND...: records a failure instead of stopping, so every check is reported
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
rm -rf "$work/voc" "$work/sweep"
/usr/bin/python3 "$MAKE_DATA" voc "$work/voc" --train=2 --val=2 >/dev/null || { echo "stand-in dataset failed"; exit 1; }
"$MAKE_CLIP" "$work/clip.pt" || { echo "make_test_clip_checkpoint failed"; exit 1; }
sweep_dir=$work/sweep

cat >"$work/tiny.pbtxt" <<EOF
name: "voc_seeds"
base: "$PWD/experiments/voc_inductive.pbtxt"
overrides: "data.root=$work/voc"
overrides: "model.clip.checkpoint=$work/clip.pt"
axes { name: "loss" field: "model.loss.kind" values: ["EL", "NEL"] }
seeds: [0, 1]
EOF
# 60 iterations (about a second), a checkpoint every 5: long enough to be killed mid-training.
sweep=("$ZEGCLIP" sweep --sweep="$work/tiny.pbtxt" --work_dir="$sweep_dir" "${STANDIN_FLAGS[@]}"
       --set=train.max_iters=60 --set=train.checkpoint_interval=5)
# Seeds are the outer loop: the first seed fills the table once before the second starts.
points=(loss=EL__seed=0 loss=NEL__seed=0 loss=EL__seed=1 loss=NEL__seed=1)

# --- kill -9 once the first point is finished and the second has written a checkpoint (again if it finished first).
for attempt in 1 2 3; do
  rm -rf "$sweep_dir"
  "${sweep[@]}" >"$work/first.log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && ! { test -e "$sweep_dir/${points[0]}/manifest.json" &&
        ls "$sweep_dir/${points[1]}"/iter_*.ckpt >/dev/null 2>&1; }; do sleep 0.01; done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  test -e "$sweep_dir/${points[1]}/eval.json" || break
done
test -s "$sweep_dir/${points[0]}/eval.json" || { echo "FAIL the sweep did not finish its first point"; cat "$work/first.log"; exit 1; }
check "first point finished before the kill (attempt $attempt)" test -s "$sweep_dir/${points[0]}/eval.json"
check "second point was cut short (no eval.json)" test ! -e "$sweep_dir/${points[1]}/eval.json"
check "third point not started" test ! -e "$sweep_dir/${points[2]}"
check "no table yet" test ! -e "$sweep_dir/sweep.md"

# --- resume: point 1 skipped, point 2 resumed from its checkpoint, points 3 and 4 trained.
"${sweep[@]}" >"$work/resume.log" 2>&1
check "resumed sweep exits 0" test $? -eq 0 || cat "$work/resume.log"
check "resume skips exactly the finished point" \
  test "$(grep "eval.json exists: skipped" "$work/resume.log")" = "== sweep point 1/4: ${points[0]} (eval.json exists: skipped)"
check "the killed point resumed from its checkpoint" grep -q "\"mode\": \"resume\", \"checkpoint\": \"$sweep_dir/${points[1]}/iter_" \
  "$sweep_dir/${points[1]}/metrics.jsonl"
for point in "${points[@]}"; do
  for f in eval.json manifest.json report.html sweep_point.json iter_60.ckpt; do
    check "$point/$f written" test -s "$sweep_dir/$point/$f"
  done
done

# --- the table against the runs' eval.json, computed independently here.
/usr/bin/python3 - "$sweep_dir" "${points[@]}" <<'PY'
import html, json, math, os, statistics, sys
root, points = sys.argv[1], sys.argv[2:]
keys = [("pAcc", "pAcc"), ("mIoU_seen", "mIoU(S)"), ("mIoU_unseen", "mIoU(U)"), ("hIoU", "hIoU")]
runs = {p: json.load(open(os.path.join(root, p, "eval.json"))) for p in points}
assert json.load(open(os.path.join(root, points[3], "sweep_point.json"))) == {"loss": "NEL", "seed": "1"}
md = open(os.path.join(root, "sweep.md")).read()
lines = md.splitlines()
assert lines[0] == "| run | loss | seeds | pAcc | mIoU(S) | mIoU(U) | hIoU | report |", lines[0]
rows = [l for l in lines if l.startswith("| loss=")]
assert len(rows) == 2, md
summary = json.load(open(os.path.join(root, "sweep.json")))
assert summary["std"] == "sample (n - 1)"
page = open(os.path.join(root, "sweep.html")).read()
for row, loss in zip(rows, ["EL", "NEL"]):
    members = [f"loss={loss}__seed={s}" for s in (0, 1)]
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    assert cells[:3] == [f"loss={loss}", loss, "2"], cells
    point = next(p for p in summary["points"] if p["name"] == f"loss={loss}")
    assert point["axes"] == {"loss": loss}, point
    for column, (key, _) in enumerate(keys, start=3):
        values = [runs[m][key] for m in members]
        assert all(v is not None and math.isfinite(v) for v in values), (key, values)
        mean, std = statistics.mean(values), statistics.stdev(values)
        expected = f"{mean:.1f} ± {std:.1f}"
        assert cells[column] == expected, (loss, key, cells[column], expected, values)
        got = point["metrics"][key]
        assert got["n"] == 2 and got["values"] == values, (key, got)
        assert abs(got["mean"] - mean) < 1e-9 and abs(got["std"] - std) < 1e-9, (key, got, mean, std)
        assert f"<td>{html.escape(expected)}</td>" in page, (key, expected)
    for m, seed in zip(members, (0, 1)):
        link = f"[seed={seed}]({m}/report.html)"
        assert link in cells[7], (cells[7], link)
        assert os.path.exists(os.path.join(root, m, "report.html"))
        assert f'<a href="{html.escape(m)}/report.html">seed={seed}</a>' in page, m
# The seeds differ in what they trained: a spread of exactly 0 everywhere would mean the seed was not applied.
assert any(runs[f"loss={l}__seed=0"][k] != runs[f"loss={l}__seed=1"][k] for l in ("EL", "NEL") for k, _ in keys)
print("table: mean ± std of both points match the runs' eval.json")
PY
check "sweep.md / sweep.html / sweep.json agree with the runs' eval.json" test $? -eq 0
check "the table was printed" grep -q "^| loss=NEL | NEL | 2 |" "$work/resume.log"

# --- a third start trains nothing and prints the same table.
before=$(cat "$sweep_dir"/*/metrics.jsonl "$sweep_dir"/*/eval.json | md5sum)
"${sweep[@]}" >"$work/again.log" 2>&1
check "third start exits 0" test $? -eq 0
check "third start skips all four points" test "$(grep -c "eval.json exists: skipped" "$work/again.log")" -eq 4
check "third start trains nothing (metrics.jsonl, eval.json unchanged)" \
  test "$(cat "$sweep_dir"/*/metrics.jsonl "$sweep_dir"/*/eval.json | md5sum)" = "$before"
check "same table" test "$(grep '^| loss=' "$work/resume.log")" = "$(grep '^| loss=' "$work/again.log")"

# --- a finished point whose report was lost (killed after the manifest) gets it back without retraining.
rm "$sweep_dir/${points[2]}/report.html"
"${sweep[@]}" >"$work/repair.log" 2>&1
check "lost report regenerated" test -s "$sweep_dir/${points[2]}/report.html"
check "repair trains nothing" test "$(grep -c "eval.json exists: skipped" "$work/repair.log")" -eq 4
# --- killed after eval.json but before the manifest: evaluated again from the final checkpoint, nothing retrained.
rm "$sweep_dir/${points[3]}/manifest.json"
lines=$(wc -l <"$sweep_dir/${points[3]}/metrics.jsonl")
"${sweep[@]}" >"$work/reeval.log" 2>&1
check "point without manifest not skipped" test "$(grep -c "eval.json exists: skipped" "$work/reeval.log")" -eq 3
check "manifest written again" test -s "$sweep_dir/${points[3]}/manifest.json"
check "only a resume at iteration 60 logged, no training" test "$(tail -n +$((lines + 1)) "$sweep_dir/${points[3]}/metrics.jsonl")" \
  = "{\"mode\": \"resume\", \"checkpoint\": \"$sweep_dir/${points[3]}/iter_60.ckpt\", \"iter\": 60}"
# --- the sweep changed since (a longer schedule): its finished points are not the new sweep's; refused up front.
before=$(cat "$sweep_dir"/*/metrics.jsonl "$sweep_dir"/*/eval.json | md5sum)
"${sweep[@]}" --set=train.max_iters=80 >/dev/null 2>"$work/changed.err"
check "a changed sweep over finished points exits 1" test $? -eq 1
check "  in one error line naming the point and the field" grep -q \
  "^error: sweep point '${points[0]}': $sweep_dir/${points[0]} holds the results of another experiment: train.max_iters is 60 there but 80 now; sweep into another --work_dir" \
  "$work/changed.err" || cat "$work/changed.err"
check "  training nothing" test "$(cat "$sweep_dir"/*/metrics.jsonl "$sweep_dir"/*/eval.json | md5sum)" = "$before"
echo "$fails failure(s)"
test "$fails" -eq 0
