#!/usr/bin/env bash
# The runner behind every experiment target (experiments/experiment.bzl), run by `bazel run` from the target's
# runfiles tree; outputs go under runs/ in the folder bazel was run from:
#   run_experiment.sh train CONFIG NAME [FLAG...]    zegclip train into runs/NAME/ (resumes from its checkpoints)
#   run_experiment.sh eval CONFIG NAME [FLAG...]     zegclip eval into runs/NAME/eval/ (give --checkpoint=...)
#   run_experiment.sh sweep SWEEP NAME [FLAG...]     zegclip sweep into runs/NAME/
# FLAGs after `--` on the bazel command line are passed on (e.g. --set=data.root=..., or another --work_dir).
set -euo pipefail
here=$(pwd)
export RUNFILES_DIR=${RUNFILES_DIR:-$(dirname "$here")}
mode=$1 file=$2 name=$3
shift 3
out=${BUILD_WORKING_DIRECTORY:-$here}/runs/$name
case $mode in
  train) exec "$here/tools/zegclip" train --config="$here/$file" --work_dir="$out" "$@" ;;
  eval) exec "$here/tools/zegclip" eval --config="$here/$file" --work_dir="$out/eval" "$@" ;;
  sweep) exec "$here/tools/zegclip" sweep --sweep="$here/$file" --work_dir="$out" "$@" ;;
  *) echo "run_experiment.sh: unknown mode '$mode' (train, eval or sweep)" >&2; exit 2 ;;
esac
