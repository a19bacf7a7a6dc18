#!/usr/bin/env bash
# `zegclip tokenize`, `clip-encode` and `text-embed` end to end: OpenAI's ids for known texts, embeddings written as
# .npy and read back with numpy (shapes, unit rows, argument order), the printed cosine / probability matrices,
# clip-encode on a Python-made OpenAI-layout archive against PyTorch's output for the same PNG, agreement between
# text-embed and clip-encode, and one error line with a non-zero exit for each bad flag.
set -uo pipefail
bin=tools/zegclip
make_clip=zegclip/clip/make_test_clip_checkpoint
testdata=zegclip/clip/testdata
T=$TEST_TMPDIR
py=/usr/bin/python3
fails=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
# expect_error NAME RC PATTERN COMMAND...: exit status RC and exactly one stderr line matching PATTERN.
expect_error() {
  local name=$1 rc=$2 pattern=$3; shift 3
  "$@" >/dev/null 2>"$T/err"; local got=$?
  if [[ $got -eq $rc && $(wc -l <"$T/err") -eq 1 ]] && grep -q -- "$pattern" "$T/err"; then
    echo "ok   $name"
  else
    echo "FAIL $name (exit $got, stderr: $(cat "$T/err"))"; fails=$((fails + 1))
  fi
}
zeros() { printf ' 0%.0s' $(seq "$1"); }

# --- tokenize: ids of OpenAI's Python tokenizer (clip.tokenize), zero-padded to 77, one line per --text.
out=$($bin tokenize --text="a photo of a cat." --text "café naïve résumé Ærøskøbing" --text="")
check "tokenize exits 0" test $? -eq 0
check "tokenize prints one line per text" test "$(wc -l <<<"$out")" -eq 3
check "tokenize: English ids" test "$(sed -n 1p <<<"$out")" = "49406 320 1125 539 320 2368 269 49407$(zeros 69)"
check "tokenize: accented ids" test "$(sed -n 2p <<<"$out")" \
  = "49406 15304 1097 35689 563 29106 7054 4166 42495 81 17483 909 17483 5665 49407$(zeros 62)"
check "tokenize: empty text" test "$(sed -n 3p <<<"$out")" = "49406 49407$(zeros 75)"
long=$(printf 'cat %.0s' $(seq 100))
out=$($bin tokenize --text="$long" --truncate)
check "tokenize --truncate keeps 77 ids ending in EOT" test "$(wc -w <<<"$out") $(awk '{print $77}' <<<"$out")" = "77 49407"
expect_error "tokenize without --text" 2 "tokenize: give at least one --text" $bin tokenize
expect_error "tokenize of a too long text" 1 "^error: .*cat cat" $bin tokenize --text="$long"
expect_error "tokenize with a missing vocabulary" 1 "^error: .*no_such_vocab.gz" \
  $bin tokenize --text=a --bpe_vocab="$T/no_such_vocab.gz"

# --- a tiny CLIP with OpenAI's vocabulary (fp16 archive, OpenAI's names) and two images.
$make_clip "$T/tiny.pt" || { echo "FAIL make_test_clip_checkpoint"; exit 1; }
$py - "$T" <<'PY'
import sys
import numpy as np
from PIL import Image
rng = np.random.RandomState(0)
Image.fromarray(rng.randint(0, 256, (30, 50, 3), dtype=np.uint8)).save(f"{sys.argv[1]}/noise.png")
PY
img1=$testdata/preprocess_input.png
img2=$T/noise.png

# --- clip-encode: 2 images x 3 texts.
out=$($bin clip-encode --clip_checkpoint="$T/tiny.pt" --image="$img1" --image "$img2" --text="a photo of a cat." \
  --text="a photo of a dog." --text="potted plant" --out_image="$T/I.npy" --out_text="$T/T.npy" 2>"$T/log")
check "clip-encode exits 0" test $? -eq 0 || cat "$T/log"
check "clip-encode lists the texts in order" grep -q "^  \[3\] potted plant$" <<<"$out"
echo "$out" >"$T/encode.txt"
$py - "$T" <<'PY'
import re, sys
import numpy as np
T = sys.argv[1]
I, X = np.load(f"{T}/I.npy"), np.load(f"{T}/T.npy")
assert I.dtype == np.float32 and X.dtype == np.float32, (I.dtype, X.dtype)
assert I.shape == (2, 32) and X.shape == (3, 32), (I.shape, X.shape)
assert np.allclose(np.linalg.norm(I, axis=1), 1, atol=1e-5) and np.allclose(np.linalg.norm(X, axis=1), 1, atol=1e-5)
assert abs(I[0] @ I[1]) < 0.9999, "two different images gave the same embedding"
text = open(f"{T}/encode.txt").read()
def matrix(title):
    block = text.split(title, 1)[1].splitlines()[2:4]
    return np.array([[float(v) for v in line.split()[1:]] for line in block])
cosine = matrix("cosine similarity")
assert np.allclose(cosine, I @ X.T, atol=1e-4), (cosine, I @ X.T)
scale = float(re.search(r"softmax over the texts of ([0-9.]+) x cosine", text).group(1))
probs = matrix("zero-shot probabilities")
expected = np.exp(scale * I @ X.T); expected /= expected.sum(1, keepdims=True)
assert np.allclose(probs, expected, atol=1e-4) and np.allclose(probs.sum(1), 1, atol=1e-3), (probs, expected)
PY
check "clip-encode .npy files and printed matrices agree (numpy)" test $? -eq 0

# Row order follows the arguments: swapping the images swaps the rows.
$bin clip-encode --clip_checkpoint="$T/tiny.pt" --image="$img2" --image="$img1" --out_image="$T/I_swapped.npy" >/dev/null
$py -c "import numpy as np, sys; a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); \
assert np.allclose(a[::-1], b, atol=1e-6)" "$T/I.npy" "$T/I_swapped.npy"
check "clip-encode rows follow the argument order" test $? -eq 0

# --- clip-encode on the archive written by the Python restatement of OpenAI's model.py (fp16, OpenAI's names):
# the embedding of the PNG after OpenAI's preprocessing equals PyTorch's (cosine >= 0.9999).
$bin clip-encode --clip_checkpoint=$testdata/clip_fixture.pt --image="$img1" --out_image="$T/fixture.npy" >"$T/log" 2>&1
check "clip-encode loads the OpenAI-layout archive" test $? -eq 0 || cat "$T/log"
$py - "$T/fixture.npy" "$testdata/clip_fixture_png_features.npy" <<'PY'
import sys
import numpy as np
ours, golden = np.load(sys.argv[1]), np.load(sys.argv[2])
golden = golden / np.linalg.norm(golden, axis=1, keepdims=True)
cosine = float((ours * golden).sum())
print(f"fixture PNG: cosine with PyTorch {cosine:.7f}, max abs diff {np.abs(ours - golden).max():.2e}")
assert ours.shape == (1, 64) and cosine >= 0.9999 and np.abs(ours - golden).max() < 1e-4
PY
check "clip-encode matches PyTorch on the fixture archive" test $? -eq 0

# --- text-embed.
printf 'cat\n\n  dog  \npotted plant\n' >"$T/classes.txt"
out=$($bin text-embed --clip_checkpoint="$T/tiny.pt" --classes=@"$T/classes.txt" --templates=imagenet --out="$T/E80.npy")
check "text-embed (imagenet) exits 0" test $? -eq 0
check "text-embed reports 80 templates" grep -q "3 classes x 32 float32, mean of 80 template(s)" <<<"$out"
$bin text-embed --clip_checkpoint="$T/tiny.pt" --classes="cat, dog,potted plant" --templates=single --out="$T/E1.npy" \
  >/dev/null
check "text-embed (single) exits 0" test $? -eq 0
$py - "$T" <<'PY'
import sys
import numpy as np
T = sys.argv[1]
E80, E1, X = np.load(f"{T}/E80.npy"), np.load(f"{T}/E1.npy"), np.load(f"{T}/T.npy")
assert E80.shape == (3, 32) and E1.shape == (3, 32) and E80.dtype == np.float32
assert np.allclose(np.linalg.norm(E80, axis=1), 1, atol=1e-5) and np.allclose(np.linalg.norm(E1, axis=1), 1, atol=1e-5)
# One template "a photo of a {}." = clip-encode's embedding of "a photo of a cat." / "... dog.".
assert np.allclose(E1[:2], X[:2], atol=1e-5), np.abs(E1[:2] - X[:2]).max()
assert np.abs(E80 - E1).max() > 1e-3, "80 templates gave the single-template embedding"
PY
check "text-embed rows: unit, class order, single template = clip-encode" test $? -eq 0

# --- flag errors: one line, exit 2; failures while running: one "error:" line, exit 1.
expect_error "clip-encode without --clip_checkpoint" 2 "clip-encode: --clip_checkpoint=PT" $bin clip-encode --text=a
expect_error "clip-encode without inputs" 2 "at least one --image=FILE or --text" \
  $bin clip-encode --clip_checkpoint="$T/tiny.pt"
expect_error "clip-encode --out_text without texts" 2 "--out_text needs at least one --text" \
  $bin clip-encode --clip_checkpoint="$T/tiny.pt" --image="$img1" --out_text="$T/x.npy"
expect_error "clip-encode into a missing folder" 2 "folder $T/nowhere does not exist" \
  $bin clip-encode --clip_checkpoint="$T/tiny.pt" --image="$img1" --out_image="$T/nowhere/x.npy"
expect_error "clip-encode --device=tpu" 2 "expected cpu or cuda" \
  $bin clip-encode --clip_checkpoint="$T/tiny.pt" --text=a --device=tpu
expect_error "clip-encode with a missing image" 1 "^error: .*no_such.png" \
  $bin clip-encode --clip_checkpoint="$T/tiny.pt" --image="$T/no_such.png"
echo "not a checkpoint" >"$T/bad.pt"
expect_error "clip-encode on a non-archive" 1 "^error: CLIP checkpoint $T/bad.pt is not a readable TorchScript" \
  $bin clip-encode --clip_checkpoint="$T/bad.pt" --text=a
expect_error "clip-encode with a too small vocabulary" 1 "^error: the BPE vocabulary has 49408 tokens" \
  $bin clip-encode --clip_checkpoint=$testdata/clip_fixture.pt --text=a
expect_error "text-embed without --classes" 2 "text-embed: --classes=a,b,c" \
  $bin text-embed --clip_checkpoint="$T/tiny.pt" --out="$T/E.npy"
expect_error "text-embed without --out" 2 "text-embed: --out=E.npy is required" \
  $bin text-embed --clip_checkpoint="$T/tiny.pt" --classes=cat
expect_error "text-embed with unknown templates" 2 "unknown template set 'imagenet80' (known: single, imagenet" \
  $bin text-embed --clip_checkpoint="$T/tiny.pt" --classes=cat --templates=imagenet80 --out="$T/E.npy"
expect_error "text-embed with an empty class name" 2 "empty class name" \
  $bin text-embed --clip_checkpoint="$T/tiny.pt" --classes="cat,,dog" --out="$T/E.npy"
expect_error "text-embed with a repeated class" 2 "class 'cat' appears twice" \
  $bin text-embed --clip_checkpoint="$T/tiny.pt" --classes="cat,dog,cat" --out="$T/E.npy"
expect_error "text-embed with a stray argument" 2 "unexpected argument 'dog'" \
  $bin text-embed --clip_checkpoint="$T/tiny.pt" --classes=cat dog --out="$T/E.npy"
test ! -e "$T/E.npy"
check "failed commands write no output" test $? -eq 0

echo "$fails failed"
test $fails -eq 0
