#!/usr/bin/env bash
# Issue 3's acceptance at full size, without a download: a random ViT-B/16 in OpenAI's TorchScript layout (names, fp16
# storage, archive entries) made by zegclip/clip/testdata/full_size_reference.py; `zegclip clip-encode` on two
# 224x224 images and three texts (ASCII, non-ASCII with an emoji, one past 77 tokens with --truncate) must match the
# Python restatement of OpenAI's model with cosine >= 0.9999 per row; texts given in another order must not.
set -uo pipefail
bin=tools/zegclip
script=zegclip/clip/testdata/full_size_reference.py
vocab=third_party/clip/bpe_simple_vocab_16e6.txt.gz
T=$TEST_TMPDIR/full
py=/usr/bin/python3
fails=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
long=$(printf 'word %.0s' $(seq 80))
texts=(--text="a photo of a cat." --text="Zürich's café, 3 dogs & a 🐈!" --text="$long")

"$py" "$script" export "$T" || exit 1
"$bin" tokenize --bpe_vocab="$vocab" --truncate "${texts[@]}" >"$T/tokens.txt" || exit 1
"$bin" clip-encode --clip_checkpoint="$T/ViT-B-16-random.pt" --bpe_vocab="$vocab" --truncate \
  --image="$T/smooth.png" --image="$T/noise.png" "${texts[@]}" \
  --out_image="$T/cpp_image.npy" --out_text="$T/cpp_text.npy" >"$T/encode.txt" 2>&1
check "clip-encode runs on the full-size archive" test $? -eq 0
"$py" "$script" compare "$T" | tee "$T/compare.txt"
check "every row's cosine >= 0.9999" test "${PIPESTATUS[0]}" -eq 0

# The same texts in reverse order: the rows no longer correspond, and the check must say so.
"$bin" clip-encode --clip_checkpoint="$T/ViT-B-16-random.pt" --bpe_vocab="$vocab" --truncate \
  --text="$long" --text="Zürich's café, 3 dogs & a 🐈!" --text="a photo of a cat." \
  --image="$T/smooth.png" --image="$T/noise.png" \
  --out_image="$T/cpp_image.npy" --out_text="$T/cpp_text.npy" >/dev/null 2>&1
"$py" "$script" compare "$T" >/dev/null
check "mismatched rows fail the comparison" test $? -eq 1

rm -f "$T/ViT-B-16-random.pt"
echo "$fails failed"
[ "$fails" -eq 0 ]
