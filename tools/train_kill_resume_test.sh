#!/usr/bin/env bash
# `zegclip train` survives kill -9: a run SIGKILLed at a random moment after its first checkpoint, then started again
# on the same work dir (it resumes from the newest checkpoint), ends bit-identical to an uninterrupted run: the same
# final checkpoint tensors, the same loss/lr lines in metrics.jsonl and the same eval.json. A stray half-written
# temp checkpoint does not break the resume (and is removed). Also: train.keep_checkpoints keeps the newest N.
#   train_kill_resume_test.sh ZEGCLIP COMPARE_CHECKPOINTS TOY_CONFIG LIB
ZEGCLIP=$1 COMPARE=$2 TOY=$3
source "$4"
work=${TEST_TMPDIR:-$(mktemp -d)}
toy_clip "$work/clip"
# 40 steps with a checkpoint every 3: about a second of training, long enough to be interrupted.
common=(--config="$TOY" "${CLIP_FLAGS[@]}" --set=train.max_iters=40 --set=train.checkpoint_interval=3
        --set=train.keep_checkpoints=2)

"$ZEGCLIP" train "${common[@]}" --work_dir="$work/whole" >"$work/whole.log" 2>&1
check "uninterrupted run succeeds" test $? -eq 0 || cat "$work/whole.log"
check "keep_checkpoints=2 keeps the newest two and the final one" \
  test "$(cd "$work/whole" && ls iter_*.ckpt | sort -V | tr '\n' ' ')" = "iter_39.ckpt iter_40.ckpt "

# Kill at a random moment after the first checkpoint; retry with a shorter delay if the run finished first.
killed=0
for attempt in 1 2 3 4 5; do
  rm -rf "$work/killed"
  "$ZEGCLIP" train "${common[@]}" --work_dir="$work/killed" >"$work/killed.log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && ! ls "$work/killed"/iter_*.ckpt >/dev/null 2>&1; do sleep 0.01; done
  sleep "0.$(printf '%03d' $((RANDOM % (600 / attempt))))"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    if [ ! -e "$work/killed/iter_40.ckpt" ]; then killed=1; break; fi
  fi
  wait "$pid" 2>/dev/null
done
check "a run was killed mid-training (attempt $attempt)" test "$killed" -eq 1
echo "killed after: $(cd "$work/killed" && ls | tr '\n' ' ')"
# A write the crash interrupted: half a checkpoint under the temp name of a later iteration.
newest=$(cd "$work/killed" && ls iter_*.ckpt | sort -V | tail -1)
head -c 2000 "$work/killed/$newest" >"$work/killed/iter_99.ckpt.tmp.4242"

"$ZEGCLIP" train "${common[@]}" --work_dir="$work/killed" >"$work/resumed.log" 2>&1
check "resumed run succeeds" test $? -eq 0 || cat "$work/resumed.log"
check "it resumed from a checkpoint" grep -q '"mode": "resume"' "$work/killed/metrics.jsonl"
check "the stray temp file is gone" test ! -e "$work/killed/iter_99.ckpt.tmp.4242"
"$COMPARE" "$work/killed/iter_40.ckpt" "$work/whole/iter_40.ckpt" 0
check "final checkpoint tensors are bit-identical" test $? -eq 0
check "metrics (loss terms, lr per iteration) are identical" \
  diff <(train_lines "$work/killed/metrics.jsonl") <(train_lines "$work/whole/metrics.jsonl")
check "metrics cover all 40 iterations" test "$(train_lines "$work/whole/metrics.jsonl" | wc -l)" -eq 40
# eval.json names its checkpoint by path, the one line that must differ.
check "final evaluation is identical" diff <(grep -v '"checkpoint":' "$work/killed/eval.json") \
  <(grep -v '"checkpoint":' "$work/whole/eval.json")

# The comparisons can fail: a different seed trains differently.
"$ZEGCLIP" train "${common[@]}" --work_dir="$work/other" --set=seed=4 --set=train.max_iters=6 >/dev/null 2>&1
"$COMPARE" "$work/other/iter_6.ckpt" "$work/whole/iter_40.ckpt" 0 >/dev/null
check "another run's weights differ" test $? -eq 1
out=$("$ZEGCLIP" train "${common[@]}" --work_dir="$work/bad" --set=train.keep_checkpoints=0 2>&1)
check "keep_checkpoints=0 is rejected with the field named" grep -q "train.keep_checkpoints" <<<"$out"
finish
