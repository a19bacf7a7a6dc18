#!/usr/bin/env bash
# `zegclip compare --runs=A,B` on two tiny real runs of experiments/voc_inductive.pbtxt (VOC-layout stand-in data,
# tiny random CLIP, 2 iterations): A with NEL and seed 0, B with EL and seed 1. The printed metrics and per-class
# moves equal the two eval.json files (read here with Python), the config diff lists exactly the fields that differ,
# the provenance shows both commits and machines; every broken input is one error line naming the file.
#   compare_command_test.sh ZEGCLIP MAKE_TEST_CLIP MAKE_STANDIN_DATASET STANDIN_LIB
set -u
ZEGCLIP=$1 MAKE_CLIP=$2 MAKE_DATA=$3
source "$4"
export MPLCONFIGDIR=${TEST_TMPDIR:-/tmp}/mpl
work=${TEST_TMPDIR:-$(mktemp -d)}
fails=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
# expect_error NAME RC PATTERN COMMAND...: exit status RC and exactly one stderr line matching PATTERN.
expect_error() {
  local name=$1 rc=$2 pattern=$3; shift 3
  "$@" >"$work/out" 2>"$work/err"; local got=$?
  if [[ $got -eq $rc && $(wc -l <"$work/err") -eq 1 ]] && grep -q -- "$pattern" "$work/err"; then
    echo "ok   $name"
  else
    echo "FAIL $name (exit $got, stderr: $(cat "$work/err"))"; fails=$((fails + 1))
  fi
}
rm -rf "$work/voc" "$work/a" "$work/b" "$work/broken"
/usr/bin/python3 "$MAKE_DATA" voc "$work/voc" --train=2 --val=2 >/dev/null || { echo "stand-in dataset failed"; exit 1; }
"$MAKE_CLIP" "$work/clip.pt" || { echo "make_test_clip_checkpoint failed"; exit 1; }
common=(--config=experiments/voc_inductive.pbtxt "${STANDIN_FLAGS[@]}" --set=data.root="$work/voc"
        --set=model.clip.checkpoint="$work/clip.pt")
"$ZEGCLIP" train "${common[@]}" --work_dir="$work/a" >"$work/a.log" 2>&1 || { cat "$work/a.log"; exit 1; }
"$ZEGCLIP" train "${common[@]}" --work_dir="$work/b" --set=model.loss.kind=EL --set=seed=1 >"$work/b.log" 2>&1 ||
  { cat "$work/b.log"; exit 1; }

"$ZEGCLIP" compare --runs="$work/a,$work/b" >"$work/compare.md" 2>"$work/compare.err"
check "compare exits 0" test $? -eq 0
check "nothing on stderr" test ! -s "$work/compare.err"
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
out = open(f"{work}/compare.md").read()
a, b = (json.load(open(f"{work}/{r}/eval.json")) for r in "ab")
def table(section):
    """First-column -> cells of the Markdown table under the heading that starts with `section`."""
    text = out.split("\n## " + section)[1].split("\n## ")[0]
    return {cells[0]: cells for cells in ([c.strip() for c in l.strip().strip("|").split("|")]
                                          for l in text.splitlines() if l.startswith("| "))}
rows = table("Metrics")
# Headline metrics: both values and B - A, as eval.json has them.
for key, label in [("pAcc", "pAcc"), ("mAcc", "mAcc"), ("mIoU", "mIoU"), ("mIoU_seen", "mIoU(S)"),
                   ("mIoU_unseen", "mIoU(U)"), ("hIoU", "hIoU")]:
    expected = [label, f"{a[key]:.2f}", f"{b[key]:.2f}", f"{b[key] - a[key]:+.2f}"]
    assert rows[label] == expected, (rows[label], expected)
assert rows["images"] == ["images", "2", "2", "+0"], rows["images"]
# Per-class moves: every class moved by >= 0.1 (largest first, at most 12), with both IoUs.
ia = {c["name"]: c for c in a["classes"]}
moved = sorted((c for c in b["classes"] if c["iou"] is not None and ia[c["name"]]["iou"] is not None
                and abs(c["iou"] - ia[c["name"]]["iou"]) >= 0.1),
               key=lambda c: -abs(c["iou"] - ia[c["name"]]["iou"]))
assert moved, "the two runs predict identically: the comparison shows nothing"
classes = table("Per-class IoU")
for c in moved[:12]:
    before, after = ia[c["name"]]["iou"], c["iou"]
    split = "seen" if c["seen"] else "unseen"
    expected = [c["name"], split, f"{before:.2f}", f"{after:.2f}", f"{after - before:+.2f}"]
    assert classes[c["name"]] == expected, (classes.get(c["name"]), expected)
heading = [l for l in out.splitlines() if l.startswith("## Per-class IoU")][0]
assert heading.startswith(f"## Per-class IoU: {len(moved)} class(es) moved by >= 0.1"), heading
order = [l.split("|")[1].strip() for l in out.split("## Per-class IoU")[1].split("## Config")[0].splitlines()
         if l.startswith("| ") and not l.startswith("| class")]
assert order == [c["name"] for c in moved[:12]], (order, [c["name"] for c in moved])
# The config diff: exactly the two fields B changed.
config = out.split("## Config: ")[1].split("## Provenance")[0]
assert config.startswith("2 field(s) differ"), config
assert "| seed | 0 | 1 |" in config and "| model.loss.kind | NEL | EL |" in config, config
# Provenance from both manifests.
ma, mb = (json.load(open(f"{work}/{r}/manifest.json")) for r in "ab")
rows = table("Provenance")
assert rows["git_commit"][1:3] == [ma["git_commit"], mb["git_commit"]], rows["git_commit"]
assert rows["hostname"][1:3] == [ma["hostname"], mb["hostname"]], rows["hostname"]
assert rows["seed"][1:4] == ["0", "1", "differs"], rows["seed"]
assert rows["versions.libtorch"][1] == ma["versions"]["libtorch"], rows["versions.libtorch"]
print("compare output matches eval.json, config.pbtxt and manifest.json of both runs")
PY
check "metrics, class moves, config diff and provenance as in the runs' files" test $? -eq 0

"$ZEGCLIP" compare --runs="$work/a,$work/a" >"$work/same.md" 2>&1
check "a run against itself: no config field differs" grep -q "^## Config: 0 field(s) differ" "$work/same.md"
check "a run against itself: no class moved" grep -q "^## Per-class IoU: 0 class(es) moved" "$work/same.md"

# --- errors: one line naming what is wrong, nothing printed on stdout.
expect_error "--runs missing" 2 "compare: --runs=A,B names two run directories" "$ZEGCLIP" compare
expect_error "one run only" 2 "compare: --runs=A,B .*(got '$work/a')" "$ZEGCLIP" compare --runs="$work/a"
expect_error "three runs" 2 "compare: --runs=A,B" "$ZEGCLIP" compare --runs="$work/a,$work/b,$work/a"
expect_error "no such directory" 1 "error: $work/nope: no such run directory" \
  "$ZEGCLIP" compare --runs="$work/a,$work/nope"
for f in eval.json manifest.json config.pbtxt; do
  rm -rf "$work/broken" && cp -r "$work/b" "$work/broken" && rm "$work/broken/$f"
  expect_error "missing $f named" 1 "error: $work/broken/$f: missing (a finished" \
    "$ZEGCLIP" compare --runs="$work/a,$work/broken"
  check "missing $f: nothing on stdout" test ! -s "$work/out"
done
rm -rf "$work/broken" && cp -r "$work/b" "$work/broken" && echo '{"pAcc": ' >"$work/broken/eval.json"
expect_error "broken eval.json named" 1 "error: $work/broken/eval.json: not valid JSON" \
  "$ZEGCLIP" compare --runs="$work/a,$work/broken"
rm -rf "$work/broken" && cp -r "$work/b" "$work/broken" && printf 'train {\n  max_iters: ten\n}\n' >"$work/broken/config.pbtxt"
expect_error "broken config.pbtxt named with its line" 1 "error: $work/broken/config.pbtxt: line 2" \
  "$ZEGCLIP" compare --runs="$work/a,$work/broken"
echo "$fails failure(s)"
test "$fails" -eq 0
