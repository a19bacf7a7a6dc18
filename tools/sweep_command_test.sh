#!/usr/bin/env bash
# `zegclip sweep` end to end at toy size: a tiny CLIP from `pretrain-clip`, a 2-point sweep of the synthetic world
# (loss EL vs NEL), each point's run directory and sweep_point.json, the 2-row table, and a rerun that skips both.
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
echo PASS
