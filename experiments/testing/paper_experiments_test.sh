#!/usr/bin/env bash
# Every shipped paper experiment (experiments/*.pbtxt) runs end to end, so that none can silently break (issue 6):
# each trains 2 iterations and evaluates on a tiny stand-in dataset written in its dataset's layout
# (make_standin_dataset.py: VOC, COCO-Stuff or Context) with a tiny random CLIP in OpenAI's TorchScript layout,
# overriding only sizes and paths (standin_lib.sh); `check-data` first passes each stand-in with the experiment that
# trains on it. The runs follow the files' documented commands:
#   train files train into runs/<name>/; a file with train.init_checkpoint "runs/<X>/iter_N.ckpt" (transductive)
#   starts from the run of X made here; a cross-dataset file *_eval.pbtxt is evaluated with `zegclip eval` on the
#   checkpoint its header names (--checkpoint=runs/<X>/...).
# Each must exit 0 and leave eval.json with finite pAcc / mAcc / mIoU / mIoU(S) (mIoU(U) and hIoU too when the file
# lists unseen classes), its dataset's class count and both validation images; train runs leave their checkpoint,
# manifest and report. The synthetic-world quickstart is //experiments:quickstart_smoke_test's; a file of an unknown
# dataset fails here until this test learns it.
#   paper_experiments_test.sh ZEGCLIP MAKE_TEST_CLIP MAKE_STANDIN_DATASET STANDIN_LIB [FILE...]
# With FILEs (experiments/experiment.bzl's <name>_test: the file and the files it builds on), those; else every file.
set -u
ZEGCLIP=$1 MAKE_CLIP=$2 MAKE_DATA=$3
source "$4"
shift 4
if [ $# -gt 0 ]; then files=("$@"); else files=(experiments/*.pbtxt); fi
export MPLCONFIGDIR=${TEST_TMPDIR:-/tmp}/mpl
work=${TEST_TMPDIR:-$(mktemp -d)}
runs=$work/runs
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
rm -rf "$work/data" "$runs" && mkdir -p "$work/data" "$runs"

"$MAKE_CLIP" "$work/clip.pt" || { echo "make_test_clip_checkpoint failed"; exit 1; }
for layout in voc coco context; do
  /usr/bin/python3 "$MAKE_DATA" "$layout" "$work/data/$layout" --train=2 --val=2 >/dev/null ||
    { echo "make_standin_dataset.py $layout failed"; exit 1; }
done

# Each file's resolved config (`validate-config` prints every field), once: a file that does not validate fails here
# (--nocheck_files: the config alone; its data and weights are this test's stand-ins, given to train below).
mkdir -p "$work/resolved"
for file in "${files[@]}"; do
  "$ZEGCLIP" validate-config --nocheck_files --config="$file" >"$work/resolved/$(basename "$file")" 2>&1 ||
    fail "$file does not validate: $(tail -1 "$work/resolved/$(basename "$file")")"
done
# resolved FILE KEY: the first scalar KEY of the file's resolved config, without quotes.
resolved() { sed -n "s/^ *$2: \"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" "$work/resolved/$(basename "$1")" | head -1; }

layout_of() {
  case $1 in
    VOC2012) echo voc ;; COCO_STUFF) echo coco ;; PASCAL_CONTEXT59) echo context ;; *) echo "" ;;
  esac
}

# check_eval DIR CLASSES UNSEEN(0/1): eval.json's numbers finite, its class and image counts.
check_eval() {
  local dir=$1 classes=$2 unseen=$3
  /usr/bin/python3 - "$dir/eval.json" "$classes" "$unseen" <<'PY' || return 1
import json, math, sys
path, classes, unseen = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
j = json.load(open(path))
keys = ["pAcc", "mAcc", "mIoU", "mIoU_seen"] + (["mIoU_unseen", "hIoU"] if unseen else [])
bad = [k for k in keys if not isinstance(j.get(k), (int, float)) or not math.isfinite(j[k])]
assert not bad, f"{path}: not finite: {bad} in {dict((k, j.get(k)) for k in keys)}"
assert len(j["classes"]) == classes, f"{path}: {len(j['classes'])} classes, expected {classes}"
assert j["images"] == 2, f"{path}: {j['images']} images evaluated, expected 2"
print("    " + "  ".join(f"{k} {j[k]:.1f}" for k in keys))
PY
}

# run_experiment FILE: trains or evaluates it as its kind says; records failures.
run_experiment() {
  local file=$1 name dataset layout data_root classes unseen init source rc start
  name=$(basename "$file" .pbtxt)
  dataset=$(resolved "$file" dataset)
  layout=$(layout_of "$dataset")
  [ -n "$layout" ] || { fail "$file: dataset '$dataset' has no stand-in layout in this test"; return; }
  data_root=$work/data/$layout
  classes=$(case $layout in voc) echo 20 ;; coco) echo 171 ;; context) echo 59 ;; esac)
  unseen=$(grep -q "^ *unseen_classes: " "$work/resolved/$(basename "$file")" && echo 1 || echo 0)
  local args=(--config="$file" --work_dir="$runs/$name" "${STANDIN_FLAGS[@]}" --set=data.root="$data_root"
              --set=model.clip.checkpoint="$work/clip.pt")
  local command=train
  if [[ $file == *_eval.pbtxt ]]; then
    command=eval
    source=$(grep -o -m1 -- "--checkpoint=runs/[A-Za-z0-9_]*/" "$file" | sed 's|--checkpoint=runs/||; s|/$||')
    [ -n "$source" ] || { fail "$file: its header names no --checkpoint=runs/<experiment>/..."; return; }
    args+=(--checkpoint="$runs/$source/iter_2.ckpt")
  else
    init=$(resolved "$file" init_checkpoint)
    if [ -n "$init" ]; then
      source=$(sed -n 's|^runs/\([^/]*\)/iter_[0-9]*\.ckpt$|\1|p' <<<"$init")
      [ -n "$source" ] || { fail "$file: train.init_checkpoint '$init' is not runs/<experiment>/iter_N.ckpt"; return; }
      args+=(--set=train.init_checkpoint="$runs/$source/iter_2.ckpt")
    fi
  fi
  # The stand-in must be what the dataset's reader expects: check-data reads every file of both splits.
  if [ "$command" = train ] && [ -z "${checked[$layout]:-}" ]; then
    checked[$layout]=1
    if ! "$ZEGCLIP" check-data --config="$file" --set=data.root="$data_root" >"$runs/$layout.check" 2>&1 ||
       ! grep -q "^all files good" "$runs/$layout.check"; then
      fail "check-data on the $layout stand-in with $file"; cat "$runs/$layout.check"
    fi
  fi
  start=$(date +%s%N)
  "$ZEGCLIP" "$command" "${args[@]}" >"$runs/$name.log" 2>&1
  rc=$?
  printf '%-28s %-5s %-8s %6d ms\n' "$name" "$command" "$layout" $((($(date +%s%N) - start) / 1000000))
  if [ $rc -ne 0 ]; then fail "$file: zegclip $command exited $rc"; tail -5 "$runs/$name.log"; return; fi
  check_eval "$runs/$name" "$classes" "$unseen" || { fail "$file: eval.json"; return; }
  local expected=(eval.json manifest.json config.pbtxt report.html)
  [ "$command" = train ] && expected+=(iter_2.ckpt)
  for f in "${expected[@]}"; do
    [ -s "$runs/$name/$f" ] || fail "$file: $f missing in $runs/$name"
  done
}

# Runs a file needs come first: plain training, then training from another run, then cross-dataset evaluation.
declare -A checked
tested=0
for pass in plain init eval; do
  for file in "${files[@]}"; do
    if [ "$(resolved "$file" dataset)" = SYNTHETIC ]; then
      [ $pass = plain ] && echo "skip $file (synthetic world: //experiments:quickstart_smoke_test)"
      continue
    fi
    if [[ $file == *_eval.pbtxt ]]; then kind=eval; elif [ -n "$(resolved "$file" init_checkpoint)" ]; then kind=init
    else kind=plain; fi
    [ "$kind" = "$pass" ] || continue
    run_experiment "$file"
    tested=$((tested + 1))
  done
done
[ $# -gt 0 ] || [ "$tested" -ge 10 ] || fail "only $tested paper experiments found (the issue ships 10)"
echo "$tested experiment(s) run, $fails failure(s)"
test "$fails" -eq 0
