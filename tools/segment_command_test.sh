#!/usr/bin/env bash
# `zegclip segment` end to end: a toy quickstart makes a model, then segment runs on synthetic-world images (one the
# size of the training crop, one larger, so sliding-window inference), writes its three files with fractions summing
# to 1 (with --min_score: classes + unlabelled pixels), and every bad input gives one "error:" line and a non-zero exit.
set -euo pipefail
bin=tools/zegclip
tmp=$TEST_TMPDIR
work=$tmp/q
export MPLCONFIGDIR=$tmp/mpl
small=(--set=pretrain.max_iters=3 --set=pretrain.batch_size=16 --set=pretrain.retrieval_images_per_class=2
       --set=train.max_iters=3 --set=data.batch_size_per_rank=8 --set=data.synthetic.train_images=32
       --set=data.synthetic.val_images=8 --set=train.checkpoint_interval=3)
log=$($bin quickstart --config=experiments/synthetic_quickstart.pbtxt --work_dir="$work" "${small[@]}" 2>&1) ||
  { echo "quickstart failed"; echo "$log"; exit 1; }
model=(--checkpoint="$work/zegclip/iter_3.ckpt" --clip_checkpoint="$work/clip/clip.pt" --bpe_vocab="$work/clip/world_bpe.txt.gz")
image=$work/zegclip/examples/000_image.ppm   # a validation image of the synthetic world, 64x64

# A 150x100 image tiled from the four example images: larger than the 64-pixel crop in both directions.
/usr/bin/python3 - "$work/zegclip/examples" "$tmp/big.ppm" <<'PY'
import sys
def read(path):
    data = open(path, "rb").read()
    header = b"P6\n64 64\n255\n"   # as the evaluator writes its examples
    assert data.startswith(header) and len(data) == len(header) + 64 * 64 * 3, path
    return data[len(header):]
tiles = [read(f"{sys.argv[1]}/{i:03d}_image.ppm") for i in range(4)]
w, h = 150, 100
out = bytearray()
for y in range(h):
    for x in range(w):
        t = tiles[((y // 64) * 3 + x // 64) % 4]
        o = ((y % 64) * 64 + (x % 64)) * 3
        out += t[o:o + 3]
open(sys.argv[2], "wb").write(b"P6\n%d %d\n255\n" % (w, h) + bytes(out))
PY

# Checks the outputs of one run: PNG sizes and kinds, the fractions.
check() {  # OUT_DIR WIDTH HEIGHT CLASS...
  /usr/bin/python3 - "$@" <<'PY'
import json, struct, sys, zlib
out, width, height, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
def ihdr(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    w, h, depth, colour = struct.unpack(">IIBB", data[16:26])
    return w, h, depth, colour
w, h, depth, colour = ihdr(f"{out}/labels.png")
assert (w, h, depth, colour) == (width, height, 8, 3), ("labels.png: want a palette PNG", w, h, depth, colour)
w, h, _, colour = ihdr(f"{out}/overlay.png")
assert colour == 2 and w > width and h >= height, ("overlay.png", w, h, colour)
f = json.load(open(f"{out}/fractions.json"))
assert (f["width"], f["height"]) == (width, height), f
assert [c["name"] for c in f["classes"]] == names, f["classes"]
assert sum(c["pixels"] for c in f["classes"]) == width * height, f["classes"]
total = sum(c["fraction"] for c in f["classes"])
assert abs(total - 1) < 1e-9, total
for c in f["classes"]:
    assert abs(c["fraction"] - c["pixels"] / (width * height)) < 1e-12, c
PY
}

out=$($bin segment "${model[@]}" --image="$image" --classes="red dotted, blue plain ,green checkered" \
      --out="$tmp/s1" 2>&1) || { echo "segment failed"; echo "$out"; exit 1; }
check "$tmp/s1" 64 64 "red dotted" "blue plain" "green checkered"
grep -q "blue plain" <<<"$out" || { echo "no fractions printed"; echo "$out"; exit 1; }

out=$($bin segment "${model[@]}" --image="$tmp/big.ppm" --classes="red dotted,yellow horizontal" \
      --out="$tmp/s2" 2>&1) || { echo "sliding-window segment failed"; echo "$out"; exit 1; }
check "$tmp/s2" 150 100 "red dotted" "yellow horizontal"

# --min_score: pixels whose best score is below it are unlabelled; classes + unlabelled still cover the image, and a
# threshold no sigmoid reaches leaves every pixel unlabelled.
for threshold in 0.5 0.999999; do
  out=$($bin segment "${model[@]}" --image="$image" --classes="red dotted,blue plain" --min_score=$threshold \
        --out="$tmp/s3_$threshold" 2>&1) || { echo "segment --min_score failed"; echo "$out"; exit 1; }
  grep -q "(unlabelled)" <<<"$out" || { echo "no unlabelled line"; echo "$out"; exit 1; }
done
/usr/bin/python3 - "$tmp/s3_0.5/fractions.json" "$tmp/s3_0.999999/fractions.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    f = json.load(open(path))
    total = f["width"] * f["height"]
    assert sum(c["pixels"] for c in f["classes"]) + f["unlabelled"]["pixels"] == total, f
    assert abs(f["unlabelled"]["fraction"] - f["unlabelled"]["pixels"] / total) < 1e-12, f
strict = json.load(open(sys.argv[2]))
assert strict["unlabelled"]["pixels"] == strict["width"] * strict["height"], strict
PY

# --scores_out and --seen_classes: segment scores an image exactly as eval does. The quickstart's evaluation wrote
# its first validation image and prediction (examples/000_*) with the seen-score offset it chose on the calib split;
# segment with every class of the world, the seen ones calibrated by that offset, must give the same labels.
read -r classes seen offset < <(/usr/bin/python3 - "$work/zegclip/eval.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
names = [c["name"] for c in j["classes"]]
seen = [c["name"] for c in j["classes"] if c["seen"]]
print(",".join(names).replace(" ", "_"), ",".join(seen).replace(" ", "_"), j["seen_score_offset"])
PY
)
classes=${classes//_/ }; seen=${seen//_/ }
out=$($bin segment "${model[@]}" --image="$image" --classes="$classes" --seen_classes="$seen" \
      --set=model.seen_score_offset="$offset" --scores_out="$tmp/cal.npy" --out="$tmp/s4" 2>&1) ||
  { echo "segment --seen_classes failed"; echo "$out"; exit 1; }
out=$($bin segment "${model[@]}" --image="$image" --classes="$classes" --scores_out="$tmp/plain.npy" \
      --out="$tmp/s5" 2>&1) || { echo "segment --scores_out failed"; echo "$out"; exit 1; }
/usr/bin/python3 - "$tmp" "$work/zegclip/examples/000_pred.pgm" "$work/zegclip/eval.json" "$offset" <<'PY'
import json, sys
import numpy as np
tmp, pred_path, eval_path, offset = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
cal, plain = np.load(f"{tmp}/cal.npy"), np.load(f"{tmp}/plain.npy")
classes = json.load(open(eval_path))["classes"]
assert cal.dtype == np.float32 and cal.shape == (len(classes), 64, 64), (cal.dtype, cal.shape)
data = open(pred_path, "rb").read()
header = b"P5\n64 64\n255\n"
assert data.startswith(header), data[:20]
pred = np.frombuffer(data[len(header):], np.uint8).reshape(64, 64)
agree = (cal.argmax(0) == pred).mean()
assert agree == 1.0, f"segment and eval labels agree on {agree:.4%} of pixels"
seen = np.array([c["seen"] for c in classes])
assert np.allclose(cal[seen], plain[seen] - offset, atol=1e-6), "seen scores are not offset"
assert np.array_equal(cal[~seen], plain[~seen]), "unseen scores changed"
for run, scores in (("s4", cal), ("s5", plain)):  # the labels written are the argmax of the scores written
    f = json.load(open(f"{tmp}/{run}/fractions.json"))
    counts = np.bincount(scores.argmax(0).ravel(), minlength=len(classes))
    assert [c["pixels"] for c in f["classes"]] == counts.tolist(), run
PY

# Every failure: exit status 1 and exactly one line, starting "error:" and saying what is wrong.
fails() {  # EXPECTED_TEXT ARGS...
  local want=$1; shift
  local text status=0
  text=$($bin segment "$@" 2>&1) || status=$?
  if [ "$status" -ne 1 ] || [ "$(wc -l <<<"$text")" -ne 1 ] || [[ "$text" != error:* ]] || [[ "$text" != *"$want"* ]]; then
    echo "segment $* -> status $status, want 1 and one error line with '$want':"; echo "$text"; exit 1
  fi
}
fails "--classes is empty" "${model[@]}" --image="$image" --classes=" " --out="$tmp/e"
fails "entry 2" "${model[@]}" --image="$image" --classes="red dotted,,blue plain" --out="$tmp/e"
fails "given twice" "${model[@]}" --image="$image" --classes="blue plain,blue plain" --out="$tmp/e"
fails "--classes: 'red" "${model[@]}" --image="$image" --out="$tmp/e" \
      --classes="red dotted and a very long description that cannot fit in the text encoder context of this clip"
fails "$tmp/none.png" "${model[@]}" --image="$tmp/none.png" --classes="red dotted" --out="$tmp/e"
echo "not an image" > "$tmp/bad.png"
fails "$tmp/bad.png" "${model[@]}" --image="$tmp/bad.png" --classes="red dotted" --out="$tmp/e"
fails "$tmp/none.ckpt: no such file" --checkpoint="$tmp/none.ckpt" --clip_checkpoint="$work/clip/clip.pt" \
      --image="$image" --classes="red dotted" --out="$tmp/e"
echo "garbage" > "$tmp/bad.ckpt"
fails "$tmp/bad.ckpt" --checkpoint="$tmp/bad.ckpt" --clip_checkpoint="$work/clip/clip.pt" \
      --bpe_vocab="$work/clip/world_bpe.txt.gz" --image="$image" --classes="red dotted" --out="$tmp/e"
fails "needs --clip_checkpoint" --checkpoint="$work/zegclip/iter_3.ckpt" --image="$image" --classes="a" --out="$tmp/e"
fails "exactly one of" --image="$image" --classes="a" --out="$tmp/e"
fails "neither one of --classes" "${model[@]}" --image="$image" --classes="red dotted,blue plain" \
      --seen_classes="red dotted,2" --out="$tmp/e"
fails "--authors_checkpoint needs --config" --authors_checkpoint="$image" --image="$image" --classes="a" --out="$tmp/e"
mkdir -p "$tmp/lone" && cp "$work/zegclip/iter_3.ckpt" "$tmp/lone/"
fails "no config.pbtxt beside it" --checkpoint="$tmp/lone/iter_3.ckpt" --clip_checkpoint="$work/clip/clip.pt" \
      --image="$image" --classes="a" --out="$tmp/e"
fails "--min_score must be in [0, 1)" "${model[@]}" --image="$image" --classes="a" --min_score=1.5 --out="$tmp/e"
# The vendored OpenAI vocabulary (found beside the binary) does not fit the toy CLIP's text encoder.
fails "--bpe_vocab" --checkpoint="$work/zegclip/iter_3.ckpt" --clip_checkpoint="$work/clip/clip.pt" --image="$image" \
      --classes="red dotted" --set=model.clip.bpe_vocab= --out="$tmp/e"
test ! -e "$tmp/e" || { echo "a failed run left $tmp/e behind"; exit 1; }
echo PASS
