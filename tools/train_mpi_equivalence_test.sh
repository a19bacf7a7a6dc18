#!/usr/bin/env bash
# Data-parallel `zegclip train` equals one process on the combined batch: `mpirun -np 2` with batch B per rank and a
# single process (distributed.backend SINGLE) with batch 2B train the toy experiment for 6 steps; the final
# checkpoints' parameters must agree to 1e-6 relative (fp32), and both ranks must have taken part.
#   train_mpi_equivalence_test.sh ZEGCLIP COMPARE_CHECKPOINTS TOY_CONFIG LIB
ZEGCLIP=$1 COMPARE=$2 TOY=$3
source "$4"
work=${TEST_TMPDIR:-$(mktemp -d)}
unset XML_OUTPUT_FILE GTEST_OUTPUT TEST_PREMATURE_EXIT_FILE
toy_clip "$work/clip"
common=(--config="$TOY" "${CLIP_FLAGS[@]}" --set=train.max_iters=6)

timeout --signal=KILL 80 mpirun "${ZEGCLIP_MPIRUN_FLAGS[@]}" -np 2 "$ZEGCLIP" train "${common[@]}" \
  --work_dir="$work/np2" --set=data.batch_size_per_rank=2 --set=distributed.backend=MPI >"$work/np2.log" 2>&1
rc=$?
check "2-rank run succeeds (rc=$rc)" test "$rc" -eq 0 || cat "$work/np2.log"
"$ZEGCLIP" train "${common[@]}" --work_dir="$work/np1" --set=data.batch_size_per_rank=4 \
  --set=distributed.backend=SINGLE >"$work/np1.log" 2>&1
rc=$?
check "1-process run succeeds (rc=$rc)" test "$rc" -eq 0 || cat "$work/np1.log"

check "2-rank metrics say world_size 2" grep -q '"world_size": 2' "$work/np2/metrics.jsonl"
check "1-process metrics say world_size 1" grep -q '"world_size": 1' "$work/np1/metrics.jsonl"
"$COMPARE" "$work/np2/iter_6.ckpt" "$work/np1/iter_6.ckpt" 1e-6 | tee "$work/compare.txt"
check "final parameters agree to 1e-6 relative" test "${PIPESTATUS[0]}" -eq 0
# The comparison can fail: training moved the weights away from the CLIP it started from.
"$COMPARE" "$work/np1/iter_6.ckpt" "$work/np1/iter_2.ckpt" 1e-6 >/dev/null
check "the runs trained (iteration 2 differs from 6)" test $? -eq 1
finish
