#!/usr/bin/env bash
# A rank that stalls must not hang the job: rank 1 sleeps instead of joining an allreduce, and rank 0's watchdog
# (timeout 2 s) must abort every rank well before rank 1 would wake up (60 s), naming the rank and the call.
# Then the same for an MPI error: mismatched broadcast sizes must abort with the call named. Then with overlapped
# gradient allreduce (collectives on the communicator's background thread): rank 1 stalls, or is killed, half-way
# through backward; rank 0 must still end within the limit.
#   mpi_stalled_rank_test.sh BINARY
set -u
bin=$1
unset XML_OUTPUT_FILE GTEST_OUTPUT TEST_PREMATURE_EXIT_FILE
# Beside this script, or in the runfiles when another package's sh_test uses it.
for env_sh in "$(dirname "$0")/mpirun_env.sh" zegclip/distributed/mpirun_env.sh "${TEST_SRCDIR:-}/zegclip/zegclip/distributed/mpirun_env.sh"; do
  [ -f "$env_sh" ] && break
done
source "$env_sh"
fails=0
check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}

# run_failure MODE: runs the MpiFailure test on 2 ranks with that scenario; sets log, rc and elapsed (seconds).
run_failure() {
  log="${TEST_TMPDIR:-/tmp}/$1.log"
  local start=$(date +%s)
  ZEGCLIP_MPI_FAILURE_TEST=$1 timeout --signal=KILL 50 mpirun "${ZEGCLIP_MPIRUN_FLAGS[@]}" -np 2 \
    -x ZEGCLIP_MPI_FAILURE_TEST "$bin" --gtest_filter='MpiFailure.*' >"$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  cat "$log"
}

run_failure stall
check "stalled job exits non-zero (rc=$rc)" test "$rc" -ne 0
check "stalled job was not killed by the outer timeout" test "$rc" -ne 137
check "stalled job ends within 30 s (took ${elapsed} s)" test "$elapsed" -lt 30
check "watchdog names rank and call" grep -q "\[rank 0/2\] aborting: MPI_Allreduce has been in flight" "$log"

run_failure error
check "failing call exits non-zero (rc=$rc)" test "$rc" -ne 0 -a "$rc" -ne 137
check "error names rank and call" grep -q "\[rank [01]/2\] aborting: MPI_Bcast failed" "$log"

for mode in stalled_in_backward killed_in_backward; do
  run_failure "$mode"
  # mpirun passes on the killed rank's 128 + 9; the outer timeout (also 137) would take 50 s.
  check "$mode: job exits non-zero (rc=$rc)" test "$rc" -ne 0
  check "$mode: job ends within 30 s, not by the outer timeout (took ${elapsed} s)" test "$elapsed" -lt 30
done
grep -q "\[rank 0/2\] aborting: MPI_Allreduce has been in flight" "${TEST_TMPDIR:-/tmp}/stalled_in_backward.log"
check "stalled in backward: rank 0's watchdog names the allreduce" test $? -eq 0

echo "$fails failure(s)"
test "$fails" -eq 0
