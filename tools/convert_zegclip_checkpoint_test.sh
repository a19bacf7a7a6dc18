#!/usr/bin/env bash
# tools/convert_zegclip_checkpoint.py on files shaped like the authors' mmseg checkpoints (DataParallel's `module.`
# prefix, mmcv-like objects whose module is not installed, numpy arrays, optimizer state): the tensors come out
# exactly (the same as the committed fixture zegclip/model/authors_checkpoint_test reads), bad inputs fail with one
# line, and `zegclip segment --authors_checkpoint` runs on a converted file end to end.
set -euo pipefail
py=/usr/bin/python3
if ! "$py" -c "import torch" 2>/dev/null; then
  echo "SKIPPED: $py cannot import torch (apt-get install python3-torch)"
  exit 0
fi
tmp=$TEST_TMPDIR

"$py" tools/make_fake_authors_checkpoint.py "$tmp/fake.pth" --module_prefix
out=$("$py" tools/convert_zegclip_checkpoint.py "$tmp/fake.pth" "$tmp/fake.tensors")
grep -q "102 tensors" <<<"$out" || { echo "unexpected summary: $out"; exit 1; }
"$py" - "$tmp/fake.tensors" zegclip/model/testdata/authors_tiny.tensors <<'PY'
import sys, torch
got, want = torch.load(sys.argv[1]), torch.load(sys.argv[2])
assert type(got) is dict and all(torch.is_tensor(v) for v in got.values()), type(got)
assert sorted(got) == sorted(want), set(got) ^ set(want)
for k in want:
    assert got[k].dtype == want[k].dtype and torch.equal(got[k], want[k]), k
assert not any(k.startswith("module.") for k in got)
PY

# dtypes: a float16 release stays float16 (half the bytes of float32, values exact); --dtype converts floating tensors only.
"$py" - "$tmp/fake.tensors" "$tmp/half.pth" <<'PY'
import sys, torch
state = {k: v.half() for k, v in torch.load(sys.argv[1]).items()}
state["decode_head.steps"] = torch.tensor([7])  # an integer buffer: never converted
torch.save({"state_dict": state, "meta": {}}, sys.argv[2])
PY
out=$("$py" tools/convert_zegclip_checkpoint.py "$tmp/half.pth" "$tmp/half.tensors")
grep -q "dtypes float16 x102 int64 x1" <<<"$out" || { echo "unexpected summary: $out"; exit 1; }
"$py" tools/convert_zegclip_checkpoint.py "$tmp/half.pth" "$tmp/half32.tensors" --dtype=float32 >/dev/null
"$py" - "$tmp/half.tensors" "$tmp/half32.tensors" "$tmp/fake.tensors" <<'PY'
import sys, torch
half, full, ref = (torch.load(p) for p in sys.argv[1:])
for k, v in ref.items():
    assert half[k].dtype == torch.float16 and torch.equal(half[k], v.half()), k
    assert full[k].dtype == torch.float32 and torch.equal(full[k], v.half().float()), k
assert half["decode_head.steps"].dtype == full["decode_head.steps"].dtype == torch.int64
stored = lambda state: sum(v.numel() * v.element_size() for k, v in state.items() if k in ref)
assert 2 * stored(half) == stored(full) == stored(ref), (stored(half), stored(full))
PY

# Failures: exit status non-zero, one line naming the file.
fails() {  # EXPECTED_TEXT ARGS...
  local want=$1; shift
  local text status=0
  text=$("$py" tools/convert_zegclip_checkpoint.py "$@" 2>&1) || status=$?
  if [ "$status" -eq 0 ] || [ "$(wc -l <<<"$text")" -ne 1 ] || [[ "$text" != *"$want"* ]]; then
    echo "convert $* -> status $status, want a failure saying '$want':"; echo "$text"; exit 1
  fi
}
fails "$tmp/none.pth: no such file" "$tmp/none.pth" "$tmp/x.tensors"
"$py" -c "import torch, sys; torch.save([1, 2], sys.argv[1])" "$tmp/list.pth"
fails "expected an mmseg checkpoint" "$tmp/list.pth" "$tmp/x.tensors"
echo "garbage" > "$tmp/garbage.pth"
fails "$tmp/garbage.pth: cannot unpickle" "$tmp/garbage.pth" "$tmp/x.tensors"
fails "does not exist" "$tmp/fake.pth" "$tmp/no/such/folder/x.tensors"
test ! -e "$tmp/x.tensors" || { echo "a failed conversion left a file behind"; exit 1; }

# End to end through `zegclip segment` (with an experiment file: an authors' checkpoint without one is refused): a
# checkpoint with OpenAI's vocabulary and context (so the vendored BPE file
# tokenizes the class names) and sensible random weights, on a 40x30 image.
quick=experiments/synthetic_quickstart.pbtxt
"$py" tools/make_fake_authors_checkpoint.py "$tmp/real.pth" --random_values --vocab_size=49408 --context_length=77
"$py" tools/convert_zegclip_checkpoint.py "$tmp/real.pth" "$tmp/real.tensors" >/dev/null
"$py" - "$tmp/image.ppm" <<'PY'
import sys
w, h = 40, 30
pixels = bytes(v for y in range(h) for x in range(w) for v in (6 * x, 8 * y, 255 if (x // 10 + y // 10) % 2 else 0))
open(sys.argv[1], "wb").write(b"P6\n%d %d\n255\n" % (w, h) + pixels)
PY
text=$(tools/zegclip segment --config="$quick" --authors_checkpoint="$tmp/real.tensors" --image="$tmp/image.ppm" \
       --classes="cat,grass,sky" --out="$tmp/seg" 2>&1) || { echo "segment failed:"; echo "$text"; exit 1; }
"$py" - "$tmp/seg" <<'PY'
import json, sys
f = json.load(open(f"{sys.argv[1]}/fractions.json"))
assert (f["width"], f["height"]) == (40, 30), f
assert [c["name"] for c in f["classes"]] == ["cat", "grass", "sky"], f
assert sum(c["pixels"] for c in f["classes"]) == 1200 and abs(sum(c["fraction"] for c in f["classes"]) - 1) < 1e-9, f
for name in ("labels.png", "overlay.png"):
    assert open(f"{sys.argv[1]}/{name}", "rb").read(8) == b"\x89PNG\r\n\x1a\n", name
PY
text=$(tools/zegclip segment --authors_checkpoint="$tmp/real.tensors" --image="$tmp/image.ppm" --classes="cat" \
       --out="$tmp/e" 2>&1) && { echo "should have failed without --config"; exit 1; }
[[ "$text" == "error: --authors_checkpoint needs --config"* ]] || { echo "unexpected: $text"; exit 1; }
# The fixture's text tower has 40 tokens: OpenAI's vocabulary does not fit it, and segment says so.
text=$(tools/zegclip segment --config="$quick" --authors_checkpoint=zegclip/model/testdata/authors_tiny.tensors \
       --image="$tmp/image.ppm" --classes="cat" --out="$tmp/e" 2>&1) && { echo "should have failed"; exit 1; }
[[ "$text" == "error: "*"--bpe_vocab"* ]] || { echo "unexpected: $text"; exit 1; }
echo "garbage" > "$tmp/garbage.tensors"
text=$(tools/zegclip segment --config="$quick" --authors_checkpoint="$tmp/garbage.tensors" --image="$tmp/image.ppm" \
       --classes="cat" --out="$tmp/e" 2>&1) && { echo "should have failed"; exit 1; }
[[ "$text" == "error: $tmp/garbage.tensors: not a tensor archive"* ]] || { echo "unexpected: $text"; exit 1; }
echo PASS
