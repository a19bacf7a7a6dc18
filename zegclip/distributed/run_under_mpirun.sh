#!/usr/bin/env bash
# Runs a test binary on N local CPU ranks with OpenMPI, the way the multi-rank tests need it inside Bazel's sandbox:
#   run_under_mpirun.sh NP BINARY [ARGS...]
# The exit status is mpirun's: non-zero if any rank failed. Each rank asserts on its own.
set -u
np=$1
bin=$2
shift 2
# Every rank would write the same GoogleTest XML file; Bazel writes its own from the exit status instead.
unset XML_OUTPUT_FILE GTEST_OUTPUT TEST_PREMATURE_EXIT_FILE
# Beside this script, or in the runfiles when another package's sh_test uses it.
for env_sh in "$(dirname "$0")/mpirun_env.sh" zegclip/distributed/mpirun_env.sh "${TEST_SRCDIR:-}/zegclip/zegclip/distributed/mpirun_env.sh"; do
  [ -f "$env_sh" ] && break
done
source "$env_sh"
exec timeout --signal=KILL 120 mpirun "${ZEGCLIP_MPIRUN_FLAGS[@]}" -np "$np" "$bin" "$@"
