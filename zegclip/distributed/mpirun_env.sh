# OpenMPI settings for local multi-rank runs (tests, benchmarks), sourced by the scripts beside it:
#   source mpirun_env.sh; mpirun "${ZEGCLIP_MPIRUN_FLAGS[@]}" -np 2 prog
# - root is allowed (CI and the developer machines run as root); more ranks than cores is allowed (2-core machines);
# - plm isolated: every rank is started locally without ssh/rsh;
# - btl self,vader: shared memory only, no network probing; no CMA single-copy (needs ptrace rights sandboxes lack);
# - session files under /tmp: TEST_TMPDIR paths are too long for the unix sockets OpenMPI creates.
ZEGCLIP_MPIRUN_FLAGS=(
  --allow-run-as-root --oversubscribe
  --mca plm isolated
  --mca btl self,vader --mca btl_vader_single_copy_mechanism none
  --mca orte_tmpdir_base /tmp
)
export OMPI_MCA_rmaps_base_oversubscribe=1
