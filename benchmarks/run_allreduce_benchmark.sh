#!/usr/bin/env bash
# Runs allreduce_benchmark on N local ranks (default 2) with the project's OpenMPI settings:
#   bazel run //benchmarks:allreduce_benchmark_2ranks [-- --max_bytes=...]
set -eu
here=$(dirname "$0")
bin="$here/allreduce_benchmark"
[ -x "$bin" ] || bin="$(dirname "$here")/benchmarks/allreduce_benchmark"
env_sh="$here/../zegclip/distributed/mpirun_env.sh"
[ -f "$env_sh" ] || env_sh="${RUNFILES_DIR:-$0.runfiles}/zegclip/zegclip/distributed/mpirun_env.sh"
source "$env_sh"
exec mpirun "${ZEGCLIP_MPIRUN_FLAGS[@]}" -np "${ZEGCLIP_RANKS:-2}" "$bin" "$@"
