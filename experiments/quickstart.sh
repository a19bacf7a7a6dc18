#!/usr/bin/env bash
# `bazel run //experiments:quickstart [-- --force]`: the default job (see tools/quickstart_command.cc), with its
# results under runs/quickstart/ in the folder bazel was run from.
set -euo pipefail
here=$(pwd)  # the runfiles tree of this target
export RUNFILES_DIR=${RUNFILES_DIR:-$(dirname "$here")}
exec "$here/tools/zegclip" quickstart --config="$here/experiments/synthetic_quickstart.pbtxt" \
  --work_dir="${BUILD_WORKING_DIRECTORY:-$here}/runs/quickstart" "$@"
