#!/usr/bin/env bash
# `zegclip sweep` end to end at toy size: a tiny CLIP from `pretrain-clip`, a 2-point sweep of the synthetic world
# (loss EL vs NEL), each point's run directory and sweep_point.json, the 2-row table, and a rerun that skips both;
# then a 3-point sweep (3 seeds) run as --shard=0/2 and --shard=1/2 into one work dir, each training exactly its
# points and writing no table, and a plain run that trains nothing and writes the table over all three.
set -euo pipefail
bin=tools/zegclip
export MPLCONFIGDIR=$TEST_TMPDIR/mpl
base=$PWD/experiments/synthetic_quickstart.pbtxt
clip=$TEST_TMPDIR/clip
work=$TEST_TMPDIR/sweep

$bin pretrain-clip --config="$base" --work_dir="$clip" --set=pretrain.max_iters=2 --set=pretrain.batch_size=8 \
  --set=pretrain.retrieval_images_per_class=1 >"$TEST_TMPDIR/pretrain.log" 2>&1 \
  || { echo "pretrain-clip failed"; cat "$TEST_TMPDIR/pretrain.log"; exit 1; }
test -s "$clip/clip.pt" && test -s "$clip/world_bpe.txt.gz"

cat >"$TEST_TMPDIR/tiny.pbtxt" <<EOF
name: "tiny"
base: "$base"
overrides: "train.max_iters=2"
overrides: "train.checkpoint_interval=2"
overrides: "data.batch_size_per_rank=4"
overrides: "data.synthetic.train_images=16"
overrides: "data.synthetic.val_images=4"
overrides: "eval.offset_candidates="
overrides: "eval.calibration_split="
overrides: "report.example_images=1"
axes { name: "loss" field: "model.loss.kind" values: ["EL", "NEL"] }
EOF
sweep=(--sweep="$TEST_TMPDIR/tiny.pbtxt" --work_dir="$work" --set=model.clip.checkpoint="$clip/clip.pt"
       --set=model.clip.bpe_vocab="$clip/world_bpe.txt.gz")
out=$($bin sweep "${sweep[@]}" 2>&1) || { echo "sweep failed"; echo "$out"; exit 1; }

for point in loss=EL loss=NEL; do
  for f in eval.json sweep_point.json config.pbtxt iter_2.ckpt report.md; do
    test -s "$work/$point/$f" || { echo "missing $point/$f"; echo "$out"; exit 1; }
  done
done
grep -q "kind: EL" "$work/loss=EL/config.pbtxt" || { echo "point loss=EL did not train with EL"; exit 1; }
grep -q "kind: NEL" "$work/loss=NEL/config.pbtxt" || { echo "point loss=NEL did not train with NEL"; exit 1; }
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
assert json.load(open(f"{work}/loss=EL/sweep_point.json")) == {"loss": "EL"}
assert json.load(open(f"{work}/loss=NEL/sweep_point.json")) == {"loss": "NEL"}
rows = [l for l in open(f"{work}/sweep.md") if l.startswith("| loss=")]
assert len(rows) == 2, rows
assert rows[0].split("|")[1:3] == [" loss=EL ", " EL "], rows[0]
assert rows[1].split("|")[1:3] == [" loss=NEL ", " NEL "], rows[1]
assert json.load(open(f"{work}/loss=EL/eval.json"))["images"] == 4
PY
grep -q "| run | loss | pAcc" <<<"$out" || { echo "the table was not printed"; echo "$out"; exit 1; }

# A rerun trains nothing and prints the same table.
again=$($bin sweep "${sweep[@]}" 2>&1) || { echo "rerun failed"; echo "$again"; exit 1; }
test "$(grep -c "eval.json exists: skipped" <<<"$again")" -eq 2 || { echo "rerun did not skip"; echo "$again"; exit 1; }
test "$(grep '^| loss=' <<<"$out")" = "$(grep '^| loss=' <<<"$again")" || { echo "tables differ"; exit 1; }

# A bad value is reported before anything trains, naming the point and the field.
err=$($bin sweep --sweep="$TEST_TMPDIR/tiny.pbtxt" --work_dir="$TEST_TMPDIR/never" --set=train.lr=-1 2>&1) && exit 1
grep -q "point 'loss=EL' (1 of 2): .*train.lr: -1" <<<"$err" || { echo "unexpected error: $err"; exit 1; }
test ! -e "$TEST_TMPDIR/never" || { echo "an invalid sweep created its work_dir"; exit 1; }
# A shard validates every point too, not only its own (point 1 of 2 is shard 0's).
err=$($bin sweep --sweep="$TEST_TMPDIR/tiny.pbtxt" --work_dir="$TEST_TMPDIR/never" --shard=1/2 --set=train.lr=-1 2>&1) \
  && exit 1
grep -q "point 'loss=EL' (1 of 2): .*train.lr: -1" <<<"$err" || { echo "shard: unexpected error: $err"; exit 1; }

# Shards: the points are seed=0, seed=1, seed=2 in this order (index 0, 1, 2); 0/2 trains 0 and 2, 1/2 trains 1.
sed -e 's/^name: "tiny"/name: "tiny_seeds"/' -e 's/values: \["EL", "NEL"\] }/values: ["EL"] }/' \
  "$TEST_TMPDIR/tiny.pbtxt" >"$TEST_TMPDIR/tiny_seeds.pbtxt"
echo 'seeds: [0, 1, 2]' >>"$TEST_TMPDIR/tiny_seeds.pbtxt"
sharded=$TEST_TMPDIR/sharded
seeds=(--sweep="$TEST_TMPDIR/tiny_seeds.pbtxt" --work_dir="$sharded" "${sweep[@]:2}")
finished() { (cd "$sharded" && ls -d */eval.json 2>/dev/null | sed 's,/eval.json$,,' | sort | tr '\n' ' '); }
mtimes() { stat -c '%n %y' "$sharded"/*/eval.json; }

s0=$($bin sweep "${seeds[@]}" --shard=0/2 2>&1) || { echo "shard 0/2 failed"; echo "$s0"; exit 1; }
test "$(finished)" = "loss=EL__seed=0 loss=EL__seed=2 " || { echo "shard 0/2 trained: $(finished)"; exit 1; }
grep -q "shard 0/2: trained 2 point(s), 0 already finished" <<<"$s0" || { echo "no shard summary"; echo "$s0"; exit 1; }
test ! -e "$sharded/sweep.md" || { echo "a shard wrote the table"; exit 1; }
after0=$(mtimes)

s1=$($bin sweep "${seeds[@]}" --shard=1/2 2>&1) || { echo "shard 1/2 failed"; echo "$s1"; exit 1; }
test "$(finished)" = "loss=EL__seed=0 loss=EL__seed=1 loss=EL__seed=2 " || { echo "after 1/2: $(finished)"; exit 1; }
grep -q "trained: loss=EL__seed=1" <<<"$s1" || { echo "shard 1/2 did not list its point"; echo "$s1"; exit 1; }
test "$(grep -c "trained: " <<<"$s1")" -eq 1 || { echo "shard 1/2 trained more than its point"; echo "$s1"; exit 1; }
test "$(grep -v seed=1 <<<"$(mtimes)")" = "$after0" || { echo "shard 1/2 touched shard 0's points"; exit 1; }
test ! -e "$sharded/sweep.md" || { echo "a shard wrote the table"; exit 1; }
after1=$(mtimes)

table=$($bin sweep "${seeds[@]}" 2>&1) || { echo "the table run failed"; echo "$table"; exit 1; }
test "$(grep -c "eval.json exists: skipped" <<<"$table")" -eq 3 || { echo "table run trained"; echo "$table"; exit 1; }
test "$(mtimes)" = "$after1" || { echo "the table run rewrote an eval.json"; exit 1; }
grep -q "^| loss=EL | EL | 3 | " <<<"$table" || { echo "table without the 3 seeds"; echo "$table"; exit 1; }
/usr/bin/python3 - "$sharded" <<'PY'
import json, sys
work = sys.argv[1]
points = json.load(open(f"{work}/sweep.json"))["points"]
assert len(points) == 1, points
runs = points[0]["runs"]
assert [r["seed"] for r in runs] == ["0", "1", "2"] and all(r["finished"] for r in runs), runs
pacc = points[0]["metrics"]["pAcc"]
values = [json.load(open(f"{work}/loss=EL__seed={s}/eval.json"))["pAcc"] for s in range(3)]
assert pacc["n"] == 3 and pacc["values"] == values, (pacc, values)
PY

# Bad --shard values: one line naming the flag and its form, exit 1, before anything is created.
for bad in 2/2 x 1/0 -1/2 1/2/3 /2 1/; do
  rc=0
  err=$($bin sweep --sweep="$TEST_TMPDIR/tiny_seeds.pbtxt" --work_dir="$TEST_TMPDIR/never" --shard="$bad" 2>&1) || rc=$?
  test "$rc" -eq 1 || { echo "--shard=$bad: exit $rc"; echo "$err"; exit 1; }
  test "$err" = "error: --shard=$bad: expected I/N with integers 0 <= I < N (e.g. --shard=0/4)" \
    || { echo "--shard=$bad: unexpected error: $err"; exit 1; }
done
test ! -e "$TEST_TMPDIR/never" || { echo "a bad --shard created its work_dir"; exit 1; }
echo PASS
