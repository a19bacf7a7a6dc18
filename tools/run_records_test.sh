#!/usr/bin/env bash
# What a run records about itself survives resumes, second writers and misdirected commands:
# - a resume that changes an optimisation field (train.lr, train.max_iters) runs and records the change as a new
#   segment of history.jsonl, starting at the resume iteration; config.pbtxt then holds the new settings;
# - a resume that changes what the run trains (architecture, data, seed) is refused with one error line naming the
#   field, before anything is written: config.pbtxt, history.jsonl and the checkpoints stay as they were;
#   --noresume starts the run again from iteration 0 with a new history;
# - the same for pretrain-clip (its own fixed fields: the CLIP architecture, the pre-training world);
# - a second `train` into a run directory another is writing is refused, naming the holder's pid;
# - eval and segment refuse to write into a training run's directory, suggesting a folder inside it; eval of a
#   checkpoint that does not load leaves its folder without a config.pbtxt.
#   run_records_test.sh ZEGCLIP COMPARE_CHECKPOINTS TOY_CONFIG LIB
ZEGCLIP=$1 COMPARE=$2 TOY=$3
source "$4"
work=${TEST_TMPDIR:-$(mktemp -d)}
toy_clip "$work/clip"
common=(--config="$TOY" "${CLIP_FLAGS[@]}")
run=$work/run

# line N of a run's history.jsonl, as python sees it
history() {
  python3 -c 'import json,sys; print(json.dumps(json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2])])))' \
    "$1/history.jsonl" "$2"
}
lines() { wc -l <"$1/history.jsonl"; }
# one "error:" line and nothing else on stderr
one_error_line() { test "$(wc -l <"$1")" -eq 1 && grep -q '^error: ' "$1"; }

"$ZEGCLIP" train "${common[@]}" --work_dir="$run" >"$work/first.log" 2>&1
check "a fresh run succeeds" test $? -eq 0 || cat "$work/first.log"
check "its history is one segment from iteration 0" test "$(lines "$run")" -eq 1
check "  with no changes" grep -q '"start_iter": 0, .*"changes": \[\]' <(history "$run" 0)

# Resume with a longer schedule and a lower lr: allowed, recorded from iteration 6.
"$ZEGCLIP" train "${common[@]}" --work_dir="$run" --set=train.max_iters=9 --set=train.lr=5e-4 \
  >"$work/longer.log" 2>&1
check "a resume with new train.max_iters and train.lr succeeds" test $? -eq 0 || cat "$work/longer.log"
check "  it says what changed" grep -q "train: resuming $run at iteration 6 with train.max_iters 6 -> 9, train.lr 0.001 -> 0.0005" \
  "$work/longer.log"
check "  history has a second segment" test "$(lines "$run")" -eq 2
second=$(history "$run" 1)
check "  starting at iteration 6" grep -q '"start_iter": 6' <<<"$second"
check "  naming both changes with both values" grep -q \
  '"changes": \[{"field": "train.max_iters", "was": "6", "now": "9"}, {"field": "train.lr", "was": "0.001", "now": "0.0005"}\]' \
  <<<"$second"
check "  config.pbtxt holds the newest settings" grep -q "lr: 0.0005" "$run/config.pbtxt"
check "  training went on to iteration 9" test -s "$run/iter_9.ckpt"

# Resume with a different architecture: refused before anything is written.
cp "$run/config.pbtxt" "$work/config.before"
cp "$run/history.jsonl" "$work/history.before"
"$ZEGCLIP" train "${common[@]}" --work_dir="$run" --set=train.max_iters=12 --set=model.decoder.layers=2 \
  >"$work/arch.out" 2>"$work/arch.err"
check "a resume with another decoder depth is refused" test $? -eq 1
check "  in one error line" one_error_line "$work/arch.err" || cat "$work/arch.err"
check "  naming the field, both values and the way out" grep -q \
  "cannot resume $run at iteration 9: model.decoder.layers is 1 in $run/config.pbtxt (the run so far) but 2 now;.*--noresume" \
  "$work/arch.err"
check "  config.pbtxt is unchanged" cmp -s "$run/config.pbtxt" "$work/config.before"
check "  history.jsonl is unchanged" cmp -s "$run/history.jsonl" "$work/history.before"
check "  no checkpoint was written" test ! -e "$run/iter_12.ckpt"
for field in seed=5 data.crop_size=16 data.batch_size_per_rank=2 model.loss.kind=EL; do
  "$ZEGCLIP" train "${common[@]}" --work_dir="$run" --set=train.max_iters=12 --set="$field" >/dev/null \
    2>"$work/fixed.err"
  check "a resume with $field is refused naming ${field%%=*}" grep -q "cannot resume.*: ${field%%=*} is " "$work/fixed.err"
done
check "  and nothing was recorded" cmp -s "$run/history.jsonl" "$work/history.before"

# --noresume with the new architecture: a new run from iteration 0 in the same folder.
"$ZEGCLIP" train "${common[@]}" --work_dir="$run" --set=model.decoder.layers=2 --noresume >"$work/again.log" 2>&1
check "--noresume with another architecture starts again" test $? -eq 0 || cat "$work/again.log"
check "  with a history of one segment" test "$(lines "$run")" -eq 1
check "  and the new architecture recorded" grep -q "^    layers: 2" "$run/config.pbtxt"
check "  the earlier run's files are kept aside" test -s "$run/earlier_run_1/iter_9.ckpt" -a -s "$run/earlier_run_1/history.jsonl"
check "  with its records" cmp -s "$run/earlier_run_1/config.pbtxt" "$work/config.before"
check "  the run's checkpoints are the new run's only" \
  test "$(cd "$run" && ls iter_*.ckpt | sort -V | tr '\n' ' ')" = "iter_2.ckpt iter_4.ckpt iter_6.ckpt "

# pretrain-clip: a longer schedule is recorded, another CLIP width is refused.
"$ZEGCLIP" pretrain-clip --config="$TOY" --work_dir="$work/clip" --set=pretrain.max_iters=4 >"$work/clip2.log" 2>&1
check "pretrain-clip resumes with a longer schedule" test $? -eq 0 || cat "$work/clip2.log"
check "  recording it" grep -q '"start_iter": 2, .*"field": "pretrain.max_iters", "was": "2", "now": "4"' \
  <(history "$work/clip" 1)
"$ZEGCLIP" pretrain-clip --config="$TOY" --work_dir="$work/clip" --set=pretrain.max_iters=6 \
  --set=model.clip.vision_width=64 >/dev/null 2>"$work/clip3.err"
check "pretrain-clip refuses a resume with another vision width" \
  grep -q "cannot resume $work/clip at iteration 4: model.clip.vision_width is 32" "$work/clip3.err"

# A second writer: refused while the first holds the folder.
"$ZEGCLIP" train "${common[@]}" --work_dir="$work/busy" --set=train.max_iters=100000 --set=train.checkpoint_interval=100000 \
  >"$work/busy.log" 2>&1 &
holder=$!
while kill -0 "$holder" 2>/dev/null && ! grep -q '"mode": "train"' "$work/busy/metrics.jsonl" 2>/dev/null; do
  sleep 0.05
done
"$ZEGCLIP" train "${common[@]}" --work_dir="$work/busy" >"$work/second.out" 2>"$work/second.err"
rc=$?
kill -9 "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
check "a second train into a busy run directory is refused" test "$rc" -eq 1
check "  in one error line naming the holder's pid" grep -q "^error: $work/busy is in use by pid $holder on " \
  "$work/second.err" || cat "$work/second.err"

# eval into a training run: refused, nothing replaced; into a folder inside it: fine.
cp "$run/config.pbtxt" "$work/config.before"
"$ZEGCLIP" eval "${common[@]}" --checkpoint="$run/iter_6.ckpt" --work_dir="$run" --set=model.decoder.layers=2 \
  >/dev/null 2>"$work/eval.err"
check "eval into a training run's directory is refused" test $? -eq 1
check "  in one error line suggesting a folder inside it" grep -q \
  "^error: --work_dir=$run is a training run (it holds $run/iter_[0-9]*.ckpt): eval would replace its config.pbtxt, manifest.json and eval.json; write into a folder of its own, e.g. --work_dir=$run/eval_<name>" \
  "$work/eval.err" || cat "$work/eval.err"
check "  its config.pbtxt is unchanged" cmp -s "$run/config.pbtxt" "$work/config.before"
"$ZEGCLIP" eval "${common[@]}" --checkpoint="$run/iter_6.ckpt" --work_dir="$run/eval_final" \
  --set=model.decoder.layers=2 >"$work/eval_ok.log" 2>&1
check "eval into <run>/eval_final succeeds" test $? -eq 0 || cat "$work/eval_ok.log"
check "  writing its own records there" test -s "$run/eval_final/eval.json" -a -s "$run/eval_final/config.pbtxt"
"$ZEGCLIP" eval "${common[@]}" --checkpoint="$work/clip/clip.pt" --work_dir="$work/eval_bad" >/dev/null 2>"$work/eval_bad.err"
check "eval of a file that is no ZegCLIP checkpoint fails" test $? -eq 1
check "  leaving no config.pbtxt behind" test ! -e "$work/eval_bad/config.pbtxt"
printf 'P6\n4 4\n255\n%048d' 0 >"$work/tiny.ppm"
"$ZEGCLIP" segment --checkpoint="$run/iter_6.ckpt" --clip_checkpoint="$work/clip/clip.pt" --image="$work/tiny.ppm" --classes=a,b --out="$run" \
  >/dev/null 2>"$work/segment.err"
check "segment into a training run's directory is refused" \
  grep -q "^error: --out=$run is a training run .*: segment would put its labels.png, overlay.png and fractions.json among the run.s files; .*--out=$run/segment_<name>" "$work/segment.err" || cat "$work/segment.err"
finish
