#!/usr/bin/env bash
# Datasets on disk end to end (issue 7's acceptance):
#   make-synthetic writes the toy experiment's world in the VOC layout; check-data passes it;
#   one corrupt JPEG, one label of the wrong size and one label holding 37 (no class of the world's 36) make
#   check-data list exactly those three files with their reasons, count the rest and exit 1;
#   `train` with data.skip_bad_samples=true runs 2 iterations on the good images, reporting each bad file once;
#   without it, `train` stops with one error naming a bad file (exit 1, no crash).
#   data_commands_test.sh ZEGCLIP COMPARE_CHECKPOINTS TOY_CONFIG LIB
ZEGCLIP=$1 TOY=$3
source "$4"
work=${TEST_TMPDIR:-$(mktemp -d)}
data=$work/world
rm -rf "$data" "$work/other"
SIZES=(--set=data.synthetic.train_images=8 --set=data.synthetic.val_images=4)

# write_png PATH WIDTH HEIGHT VALUE [BLOCK_VALUE]: an 8-bit greyscale PNG filled with VALUE (rows 0-1 BLOCK_VALUE).
write_png() {
  python3 - "$@" <<'EOF'
import struct, sys, zlib
path, w, h, value = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
block = int(sys.argv[5]) if len(sys.argv) > 5 else value
rows = b"".join(b"\0" + bytes([block if y < 2 else value]) * w for y in range(h))
chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
with open(path, "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
EOF
}

# --- make-synthetic: the layout, and a refusal to write into a non-empty folder
"$ZEGCLIP" make-synthetic --config="$TOY" --out="$data" "${SIZES[@]}" >"$work/make.log" 2>&1
check "make-synthetic exits 0" test $? -eq 0
check "8 train + 4 val JPEGs" test "$(ls "$data/JPEGImages" | grep -c '\.jpg$')" -eq 12
check "12 label PNGs" test "$(ls "$data/SegmentationClass" | grep -c '\.png$')" -eq 12
check "train.txt lists 8 ids" test "$(wc -l <"$data/ImageSets/Segmentation/train.txt")" -eq 8
check "val.txt lists 4 ids" test "$(wc -l <"$data/ImageSets/Segmentation/val.txt")" -eq 4
check "classes.txt names 36 classes" test "$(wc -l <"$data/classes.txt")" -eq 36
"$ZEGCLIP" make-synthetic --config="$TOY" --out="$data" "${SIZES[@]}" >"$work/again.log" 2>&1
check "non-empty --out refused (exit 1)" test $? -eq 1
check "refusal names the folder" grep -q "error: .*$data exists and is not an empty folder" "$work/again.log"

# --- check-data on the clean export
"$ZEGCLIP" check-data --config="$TOY" --set=data.root="$data" >"$work/clean.log" 2>&1
check "check-data passes the clean export (exit 0)" test $? -eq 0
check "clean: train counted" grep -q "train (train): 8 images listed, 8 good, 0 with bad files" "$work/clean.log"
check "clean: val counted" grep -q "val (val): 4 images listed, 4 good, 0 with bad files" "$work/clean.log"
check "clean: 34 seen + 2 unseen classes" grep -q "36 classes (34 seen, 2 unseen)" "$work/clean.log"
check "clean: histogram has seen and unseen parts" grep -q "unseen classes (2)" "$work/clean.log"
check "clean: unseen class red dotted listed" grep -qE "^    red dotted +[0-9]+" "$work/clean.log"

# --- three bad files
jpeg=$data/JPEGImages/train_000001.jpg
head -c "$(($(stat -c %s "$jpeg") / 2))" "$jpeg" >"$work/cut.jpg" && mv "$work/cut.jpg" "$jpeg"  # cut short
write_png "$data/SegmentationClass/train_000002.png" 32 24 1                          # 32x24, image is 32x32
write_png "$data/SegmentationClass/val_000003.png" 32 32 0 37                         # two rows of 37
"$ZEGCLIP" check-data --config="$TOY" --set=data.root="$data" >"$work/bad.log" 2>&1
rc=$?
cat "$work/bad.log"
check "check-data exits 1 on bad files" test $rc -eq 1
check "exactly three bad files" grep -q "^bad files (3):" "$work/bad.log"
check "three bad-file lines" test "$(grep -c "^  $data/" "$work/bad.log")" -eq 3
check "corrupt JPEG listed" grep -q "^  $jpeg: corrupt: .*truncated JPEG" "$work/bad.log"
check "wrong-size label listed" \
  grep -q "^  $data/SegmentationClass/train_000002.png: wrong size: label is 32x24 (WxH)" "$work/bad.log"
check "value 37 listed" \
  grep -q "^  $data/SegmentationClass/val_000003.png: out-of-range ids: stored value(s) 37 (64 px)" "$work/bad.log"
check "the rest counted (train)" grep -q "train (train): 8 images listed, 6 good, 2 with bad files" "$work/bad.log"
check "the rest counted (val)" grep -q "val (val): 4 images listed, 3 good, 1 with bad files" "$work/bad.log"
check "summary on stderr" grep -q "^error: 3 bad file(s)" "$work/bad.log"

# --- check-data on a folder that is not there: the split cannot be listed, exit 1, no crash
"$ZEGCLIP" check-data --config="$TOY" --set=data.root="$work/nowhere" >"$work/nowhere.log" 2>&1
check "missing root: exit 1" test $? -eq 1
check "missing root: named" grep -q "cannot list split train (train): folder not found: $work/nowhere/JPEGImages" \
  "$work/nowhere.log"

# --- training: skip the bad samples, or stop naming one
toy_clip "$work/clip"
train() {  # train DIR [--set ...]
  local dir=$1; shift
  "$ZEGCLIP" train --config="$TOY" --work_dir="$dir" "${CLIP_FLAGS[@]}" --set=data.root="$data" \
    --set=train.max_iters=2 --set=train.checkpoint_interval=2 "$@" >"$dir.log" 2>&1
}
train "$work/skip" --set=data.skip_bad_samples=true
rc=$?
tail -8 "$work/skip.log"
check "skip_bad_samples=true: training runs (exit 0)" test $rc -eq 0
check "skip_bad_samples=true: 2 iterations logged" test "$(grep -c '"mode": "train"' "$work/skip/metrics.jsonl")" -eq 2
check "skip_bad_samples=true: evaluated" test -s "$work/skip/eval.json"
for bad in "$jpeg" "$data/SegmentationClass/train_000002.png" "$data/SegmentationClass/val_000003.png"; do
  check "reported once: $bad" test "$(grep -c "^warning: .*$bad" "$work/skip.log")" -eq 1
done
train "$work/stop"
rc=$?
tail -3 "$work/stop.log"
check "skip_bad_samples=false: training fails (exit 1)" test $rc -eq 1
check "skip_bad_samples=false: one error naming a bad file" \
  grep -qE "^error: .*($jpeg|train_000002.png|val_000003.png)" "$work/stop.log"
check "skip_bad_samples=false: the error says how to skip" grep -q "data.skip_bad_samples: true skips them" \
  "$work/stop.log"
check "no crash" bash -c "! grep -qiE 'segmentation fault|core dumped|terminate called' '$work/stop.log'"
finish
