#!/usr/bin/env bash
# When one of two `zegclip train` ranks goes away, the other exits non-zero within distributed.timeout_seconds
# instead of hanging: (1) rank 1 is SIGKILLed mid-training; (2) rank 1 is frozen (SIGSTOP, as a hung host): rank 0's
# collective watchdog must abort the job, naming the stuck call.
#   train_rank_exit_test.sh ZEGCLIP COMPARE_CHECKPOINTS TOY_CONFIG LIB
ZEGCLIP=$1 COMPARE=$2 TOY=$3
source "$4"
work=${TEST_TMPDIR:-$(mktemp -d)}
unset XML_OUTPUT_FILE GTEST_OUTPUT TEST_PREMATURE_EXIT_FILE
toy_clip "$work/clip"
timeout_s=4
gone() {  # gone PID: the process has ended (allowing the launcher a moment to reap it)
  for _ in $(seq 40); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
  return 1
}

# run_case NAME SIGNAL: starts 2 ranks that would train for minutes, sends SIGNAL to rank 1 once training runs,
# and sets rc (mpirun's exit status) and took (seconds from the signal to mpirun's exit).
run_case() {
  local name=$1 signal=$2 dir=$work/$1
  mkdir -p "$dir"
  timeout --signal=KILL 60 mpirun "${ZEGCLIP_MPIRUN_FLAGS[@]}" -np 2 bash -c \
    'echo $$ >"$0/pid.$OMPI_COMM_WORLD_RANK"; exec "$@"' "$dir" "$ZEGCLIP" train --config="$TOY" \
    "${CLIP_FLAGS[@]}" --work_dir="$dir/run" --set=train.max_iters=100000 --set=train.checkpoint_interval=100000 \
    --set=data.batch_size_per_rank=2 --set=distributed.backend=MPI \
    --set=distributed.timeout_seconds=$timeout_s >"$dir/log" 2>&1 &
  local launcher=$!
  # Training runs once rank 0 has logged a few steps.
  for _ in $(seq 600); do
    local steps=$(grep -c '"mode": "train"' "$dir/run/metrics.jsonl" 2>/dev/null)
    [ "${steps:-0}" -ge 3 ] && break
    sleep 0.05
  done
  local start=$(date +%s.%N)
  kill -"$signal" "$(cat "$dir/pid.1")"
  wait "$launcher"
  rc=$?
  took=$(echo "$(date +%s.%N) - $start" | bc)
  kill -CONT "$(cat "$dir/pid.1")" 2>/dev/null  # in case it is still frozen (it should be gone)
  echo "--- $name: rc=$rc, exited ${took}s after SIGSTOP/KILL"; tail -5 "$dir/log"
}

run_case killed KILL
check "rank 1 killed: the job exits non-zero (rc=$rc)" test "$rc" -ne 0
check "rank 1 killed: rank 0 is gone within the timeout (${took}s)" test "$(echo "$took < $timeout_s + 2" | bc)" -eq 1
check "rank 0 is not left running" gone "$(cat "$work/killed/pid.0")"

run_case frozen STOP
check "rank 1 frozen: the job exits non-zero (rc=$rc)" test "$rc" -ne 0
check "rank 1 frozen: exit within timeout + slack (${took}s)" test "$(echo "$took < $timeout_s + 6" | bc)" -eq 1
check "rank 1 frozen: not before the timeout (${took}s)" test "$(echo "$took >= $timeout_s - 1" | bc)" -eq 1
check "rank 1 frozen: the watchdog names rank 0 and the call" grep -q "\[rank 0/2\] aborting: MPI_.* has been in flight" \
  "$work/frozen/log"
check "rank 0 is not left running" gone "$(cat "$work/frozen/pid.0")"
finish
