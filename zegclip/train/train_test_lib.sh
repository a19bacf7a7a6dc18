# Helpers for the end-to-end tests of `zegclip train` (tools/train_*_test.sh), sourced after setting
#   ZEGCLIP=path/to/zegclip  COMPARE=path/to/compare_checkpoints  TOY=path/to/toy_experiment.pbtxt
# Example:
#   source zegclip/train/train_test_lib.sh
#   toy_clip "$TEST_TMPDIR/clip"                      # sets CLIP_FLAGS (model.clip.checkpoint / bpe_vocab)
#   "$ZEGCLIP" train --config="$TOY" --work_dir=D "${CLIP_FLAGS[@]}"
set -u
export MPLCONFIGDIR=${TEST_TMPDIR:-/tmp}/mpl
fails=0
check() {  # check NAME COMMAND...: records a failure instead of stopping, so every check is reported
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
finish() {
  echo "$fails failure(s)"
  test "$fails" -eq 0
}
# A toy CLIP pre-trained for 2 steps on the toy config's world.
toy_clip() {
  local dir=$1
  "$ZEGCLIP" pretrain-clip --config="$TOY" --work_dir="$dir" >"$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
  CLIP_FLAGS=(--set=model.clip.checkpoint="$dir/clip.pt" --set=model.clip.bpe_vocab="$dir/world_bpe.txt.gz")
}
# metrics.jsonl train lines without the wall time, one per iteration (a resumed run logs redone iterations again:
# they must be identical, so `sort -u` leaves one copy).
train_lines() {
  grep '"mode": "train"' "$1" | sed -E 's/, "(time|comm_wait)": [^,}]*//g' | sort -u
}
# OpenMPI flags for local ranks (ZEGCLIP_MPIRUN_FLAGS).
for env_sh in zegclip/distributed/mpirun_env.sh "${TEST_SRCDIR:-}/zegclip/zegclip/distributed/mpirun_env.sh"; do
  [ -f "$env_sh" ] && break
done
source "$env_sh"
