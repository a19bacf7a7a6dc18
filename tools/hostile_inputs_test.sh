#!/usr/bin/env bash
# Hostile inputs (issue 15, reliability): no crash, trace or hang from any input. Every failure below must be exit
# status 1 (2 for a usage error), exactly one line on stderr, that line starting "error:" (a usage error: the
# command's name) and naming the file or field with what is wrong:
#   symlink loops as a dataset file, a --work_dir, an --image, a checkpoint, a run directory, an experiment file;
#   unreadable files (permission denied, said as such; only where this process can be denied: root is made
#   unprivileged with setpriv);
#   the report script on a truncated eval.json, an empty manifest.json, a full disk (/dev/full), a read-only run
#   folder, and at the end of eval; report { html: false };
#   size caps: segment --max_pixels / --max_scores, an image file whose header claims 30000x30000 pixels, tokenize's
#   context length, config sizes;
#   config problems found before training starts: TRANSDUCTIVE without train.init_checkpoint, model.clip fields that
#   disagree with the checkpoint, a bad --set value (no protobuf log line), a batch larger than the train split, a
#   calibration split the reader cannot list, inf floats.
# Fixtures are tiny: a 2-step CLIP, 2-step training runs and an 8-image export of the synthetic world (~40 s).
set -u
bin=$PWD/tools/zegclip
config=$PWD/experiments/synthetic_quickstart.pbtxt
work=$TEST_TMPDIR
export MPLCONFIGDIR=$work/mpl
fails=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }

# expect NAME STATUS TEXT COMMAND...: exit STATUS, exactly one stderr line, starting "error:" (status 1) or with the
# command's usage prefix (status 2), containing TEXT; no crash, no trace.
expect() {
  local name=$1 status=$2 text=$3; shift 3
  local err=$work/expect.err rc=0
  "$@" >"$work/expect.out" 2>"$err" || rc=$?
  local lines first
  lines=$(wc -l <"$err")
  first=$(head -1 "$err")
  local prefix="error: "
  [ "$status" -eq 2 ] && prefix=""
  if [ "$rc" -eq "$status" ] && [ "$lines" -eq 1 ] && [[ $first == "$prefix"* ]] && [[ $first == *"$text"* ]]; then
    pass "$name"
  else
    fail "$name: exit $rc (want $status), $lines stderr line(s), want one with '$text':"
    sed 's/^/       /' "$err" | head -8
  fi
}

# --- fixtures
tiny=(--set=data.synthetic.train_images=8 --set=data.synthetic.val_images=4 --set=eval.calibration_images=4
      --set=data.batch_size_per_rank=2 --set=train.max_iters=2 --set=train.checkpoint_interval=2
      --set=report.example_images=1)
"$bin" pretrain-clip --config="$config" --work_dir="$work/clip" --set=pretrain.max_iters=2 --set=pretrain.batch_size=8 \
  --set=pretrain.retrieval_images_per_class=1 >"$work/clip.log" 2>&1 || { cat "$work/clip.log"; exit 1; }
clip=(--set=model.clip.checkpoint="$work/clip/clip.pt" --set=model.clip.bpe_vocab="$work/clip/world_bpe.txt.gz")
run=(--config="$config" "${clip[@]}" "${tiny[@]}")
"$bin" train "${run[@]}" --work_dir="$work/ok" >"$work/ok.log" 2>&1 || { cat "$work/ok.log"; exit 1; }
rm -rf "$work/world"
"$bin" make-synthetic --config="$config" --out="$work/world" "${tiny[@]}" >"$work/world.log" 2>&1 ||
  { cat "$work/world.log"; exit 1; }
loop=$work/loop
ln -sfn loop "$loop"   # a symlink to itself: every stat of it fails with ELOOP
model=(--checkpoint="$work/ok/iter_2.ckpt" --clip_checkpoint="$work/clip/clip.pt" --bpe_vocab="$work/clip/world_bpe.txt.gz")
image=$work/ok/examples/000_image.ppm

# --- the README's make-synthetic -> data.root flow reads every split it needs, the calibration split included
if [ -s "$work/world/ImageSets/Segmentation/calib.txt" ]; then pass "make-synthetic writes the calib split"; else
  fail "make-synthetic writes the calib split"; fi
if "$bin" train "${run[@]}" --set=data.root="$work/world" --work_dir="$work/from_disk" >"$work/disk.log" 2>&1; then
  pass "train on the export runs to the end"
else
  fail "train on the export runs to the end"; tail -3 "$work/disk.log"
fi

# --- symlink loops
cp -r "$work/world" "$work/looped"
bad=$work/looped/JPEGImages/train_000001.jpg
rm "$bad" && ln -s train_000001.jpg "$bad"
"$bin" check-data --config="$config" "${tiny[@]}" --set=data.root="$work/looped" >"$work/check.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "^  $bad: unreadable: image file $bad: too many levels of symbolic links$" "$work/check.log" &&
   grep -q "^error: 1 bad file(s) (listed above)$" "$work/check.log"; then
  pass "check-data lists a looping image as unreadable"
else
  fail "check-data lists a looping image as unreadable (exit $rc)"; tail -5 "$work/check.log"
fi
expect "train stops at a looping image, naming it" 1 "$bad: too many levels of symbolic links" \
  "$bin" train "${run[@]}" --set=data.root="$work/looped" --work_dir="$work/t_loop"
"$bin" train "${run[@]}" --set=data.root="$work/looped" --set=data.skip_bad_samples=true --work_dir="$work/t_skip" \
  >"$work/skip.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c "^warning: .*$bad: too many levels of symbolic links" "$work/skip.log")" -eq 1 ]; then
  pass "data.skip_bad_samples skips a looping image, reported once"
else
  fail "data.skip_bad_samples skips a looping image (exit $rc)"; tail -3 "$work/skip.log"
fi
expect "train --work_dir=loop" 1 "--work_dir $loop: too many levels of symbolic links" "$bin" train "${run[@]}" --work_dir="$loop"
expect "segment --image=loop" 1 "image file $loop: too many levels of symbolic links" \
  "$bin" segment "${model[@]}" --image="$loop" --classes="red dotted" --out="$work/s"
expect "segment --out=loop" 1 "--out $loop: too many levels of symbolic links" \
  "$bin" segment "${model[@]}" --image="$image" --classes="red dotted" --out="$loop"
expect "segment --checkpoint=loop" 1 "checkpoint $loop: too many levels of symbolic links" \
  "$bin" segment --checkpoint="$loop" --clip_checkpoint="$work/clip/clip.pt" --image="$image" --classes=a --out="$work/s"
expect "clip-encode --image=loop" 1 "image file $loop: too many levels of symbolic links" \
  "$bin" clip-encode --clip_checkpoint="$work/clip/clip.pt" --bpe_vocab="$work/clip/world_bpe.txt.gz" --image="$loop"
expect "clip-encode --clip_checkpoint=loop" 1 "CLIP checkpoint $loop: too many levels of symbolic links" \
  "$bin" clip-encode --clip_checkpoint="$loop" --text=a
expect "validate-config --config=loop" 1 "experiment file $loop: too many levels of symbolic links" \
  "$bin" validate-config --config="$loop"
expect "report --work_dir=loop" 1 "$loop: not a run directory" "$bin" report --work_dir="$loop"
expect "make-synthetic --out=loop" 1 "$loop: too many levels of symbolic links" \
  "$bin" make-synthetic --config="$config" --out="$loop"
expect "compare with a looping run directory" 1 "run directory $loop: too many levels of symbolic links" \
  "$bin" compare --runs="$work/ok,$loop"

# --- permission denied, said as such (root reads everything: drop the capabilities that let it)
unprivileged() {
  if [ "$(id -u)" -eq 0 ]; then setpriv --bounding-set=-dac_override,-dac_read_search "$@"; else "$@"; fi
}
echo secret >"$work/secret" && chmod 000 "$work/secret"
if unprivileged cat "$work/secret" >/dev/null 2>&1; then
  echo "skip permission cases: this process cannot be denied a file here"
else
  cp -r "$work/world" "$work/locked"
  locked=$work/locked/JPEGImages/val_000001.jpg
  chmod 000 "$locked"
  unprivileged "$bin" check-data --config="$config" "${tiny[@]}" --set=data.root="$work/locked" >"$work/perm.log" 2>&1
  if grep -q "^  $locked: unreadable: image file $locked: permission denied$" "$work/perm.log"; then
    pass "check-data says permission denied, not corrupt"
  else
    fail "check-data says permission denied, not corrupt"; grep "$locked" "$work/perm.log"
  fi
  chmod 000 "$work/locked/ImageSets/Segmentation/calib.txt"
  expect "unreadable split file named" 1 "split file $work/locked/ImageSets/Segmentation/calib.txt: permission denied" \
    unprivileged "$bin" validate-config "${run[@]}" --set=data.root="$work/locked"
  cp "$config" "$work/locked.pbtxt" && chmod 000 "$work/locked.pbtxt"
  expect "unreadable experiment file named" 1 "experiment file $work/locked.pbtxt: permission denied" \
    unprivileged "$bin" validate-config --config="$work/locked.pbtxt"
  cp -r "$work/ok" "$work/readonly" && rm -rf "$work/readonly/figures" && chmod 555 "$work/readonly"
  expect "report in a read-only run folder" 1 "$work/readonly/figures: cannot write: permission denied" \
    unprivileged "$bin" report --work_dir="$work/readonly"
  chmod 755 "$work/readonly"
fi

# --- the report script: one "error: <file>: <what>" line whatever breaks
cp -r "$work/ok" "$work/r1" && head -c 40 "$work/ok/eval.json" >"$work/r1/eval.json"
expect "truncated eval.json" 1 "$work/r1/eval.json: not JSON (" "$bin" report --work_dir="$work/r1"
cp -r "$work/ok" "$work/r2" && : >"$work/r2/manifest.json"
expect "empty manifest.json" 1 "$work/r2/manifest.json: empty, not JSON" "$bin" report --work_dir="$work/r2"
cp -r "$work/ok" "$work/r3" && rm "$work/r3/report.md" && ln -s /dev/full "$work/r3/report.md"
expect "full disk" 1 "$work/r3/report.md: cannot write: no space left on device" "$bin" report --work_dir="$work/r3"
mkdir -p "$work/e1" && ln -sfn /dev/full "$work/e1/report.md"   # eval's report, at the end of the run, fails
"$bin" eval "${run[@]}" --checkpoint=baseline --work_dir="$work/e1" >"$work/e1.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c "^error: " "$work/e1.log")" -eq 1 ] &&
   grep -q "^error: $work/e1/report.md: cannot write: no space left on device$" "$work/e1.log" &&
   ! grep -q "Traceback" "$work/e1.log"; then
  pass "eval reports its report's failure in one line"
else
  fail "eval reports its report's failure in one line (exit $rc)"; tail -5 "$work/e1.log"
fi
"$bin" train "${run[@]}" --set=report.html=false --work_dir="$work/nohtml" >"$work/nohtml.log" 2>&1
if [ -s "$work/nohtml/report.md" ] && [ ! -e "$work/nohtml/report.html" ]; then pass "report { html: false }"; else
  fail "report { html: false }: report.md and no report.html"; ls "$work/nohtml"; fi

# --- size caps
expect "segment --max_scores" 1 "64x64 pixels x 2 classes is 8192 scores, more than --max_scores=4096" \
  "$bin" segment "${model[@]}" --image="$image" --classes="red dotted,blue plain" --max_scores=4096 --out="$work/s"
# 6000 x 6000 (a few kB as PNG) is above the default --max_pixels (2^25).
/usr/bin/python3 - "$work/big.png" <<'PY'
import struct, sys, zlib
w = h = 6000
chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
rows = (b"\0" + b"\x80" * w) * h
with open(sys.argv[1], "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))
PY
expect "segment --max_pixels default" 1 "6000x6000 is 36000000 pixels, more than --max_pixels=33554432" \
  "$bin" segment "${model[@]}" --image="$work/big.png" --classes="red dotted" --out="$work/s"
# A JPEG header claiming 30000 x 30000 pixels: refused before decoding.
printf '\xff\xd8\xff\xc0\x00\x11\x08\x75\x30\x75\x30\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9' >"$work/bomb.jpg"
expect "image bomb refused from its header" 1 \
  "image file $work/bomb.jpg: 30000x30000 pixels, more than the 268435456 (2^28) one image may have" \
  "$bin" segment "${model[@]}" --image="$work/bomb.jpg" --classes="red dotted" --out="$work/s"
expect "tokenize context length" 2 "tokenize: --context_length=2000000000 is above the limit of 1024" \
  "$bin" tokenize --text=a --context_length=2000000000 --bpe_vocab="$work/clip/world_bpe.txt.gz"
expect "crop size cap" 1 "data.crop_size: 1048576 is not allowed (at most 4096)" \
  "$bin" validate-config --nocheck_files --config="$config" --set=data.crop_size=1048576
expect "synthetic image count cap" 1 "data.synthetic.train_images: 2000000000 is not allowed (in [1, 1000000])" \
  "$bin" make-synthetic --config="$config" --out="$work/huge" --set=data.synthetic.train_images=2000000000

# --- config problems, found before training starts (no checkpoint, no metrics written)
expect "TRANSDUCTIVE without a checkpoint" 1 "train.init_checkpoint: empty, but model.setting is TRANSDUCTIVE" \
  "$bin" train "${run[@]}" --set=model.setting=TRANSDUCTIVE --set=eval.calibration_split= --work_dir="$work/c1"
expect "a missing init checkpoint" 1 "train.init_checkpoint not found: $work/none.ckpt" \
  "$bin" train "${run[@]}" --set=train.init_checkpoint="$work/none.ckpt" --work_dir="$work/c2"
expect "context length ignored by the checkpoint" 1 \
  "model.clip.context_length: 50, but the CLIP checkpoint $work/clip/clip.pt has 24" \
  "$bin" train "${run[@]}" --set=model.clip.context_length=50 --work_dir="$work/c3"
expect "bad --set value, one line" 1 "--set=train.lr=abc: 'abc' is not a valid value (expected float)" \
  "$bin" validate-config --config="$config" --set=train.lr=abc
expect "inf refused" 1 "train.lr: inf is not allowed (a finite number)" \
  "$bin" validate-config --config="$config" --set=train.lr=inf
expect "batch larger than the train split names the fields" 1 \
  "data.batch_size_per_rank: 16 per rank x 1 rank(s) needs at least 16 training images, but data.train_split 'train' lists 8" \
  "$bin" train "${run[@]}" --set=data.root="$work/world" --set=data.batch_size_per_rank=16 --work_dir="$work/c4"
grep -q drop_last "$work/expect.err" && fail "the batch error names drop_last, which is no field"
cp -r "$work/world" "$work/nocalib" && rm "$work/nocalib/ImageSets/Segmentation/calib.txt"
expect "calibration split checked before training" 1 \
  "eval.calibration_split 'calib': split file not found: $work/nocalib/ImageSets/Segmentation/calib.txt" \
  "$bin" train "${run[@]}" --set=data.root="$work/nocalib" --work_dir="$work/c5"
if [ ! -e "$work/c5/metrics.jsonl" ] && [ ! -e "$work/c1" ] && [ ! -e "$work/c3" ]; then
  pass "refused runs trained nothing"; else fail "refused runs trained nothing"; fi
expect "validate-config finds the missing calibration split" 1 "eval.calibration_split 'calib': split file not found" \
  "$bin" validate-config "${run[@]}" --set=data.root="$work/nocalib"
"$bin" validate-config --nocheck_files "${run[@]}" --set=data.root="$work/nocalib" >/dev/null 2>&1 &&
  pass "validate-config --nocheck_files checks the config alone" ||
  fail "validate-config --nocheck_files checks the config alone"

echo "$fails failure(s)"
test "$fails" -eq 0
