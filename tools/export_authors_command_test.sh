#!/usr/bin/env bash
# `zegclip export-authors` end to end: a toy quickstart trains a model of ours (its CLIP adds class_embedding to the
# CLS token once); the export is an mmseg checkpoint Python's torch.load reads, with their keys, their loss buffer
# and the experiment's classes; converted back (tools/convert_zegclip_checkpoint.py) and segmented as an authors'
# checkpoint (their CLS quirk, their positional grid), it gives the labels the original gives; bad input is one
# "error:" line and exit status 1, and writes nothing.
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
ckpt=$work/zegclip/iter_3.ckpt

$bin export-authors --checkpoint="$ckpt" --out="$tmp/ours.pth" >"$tmp/snippet.py" 2>"$tmp/summary.txt" ||
  { echo "export-authors failed"; cat "$tmp/summary.txt"; exit 1; }
grep -q "^$tmp/ours.pth: [0-9]* tensors" "$tmp/summary.txt" || { echo "no summary line"; cat "$tmp/summary.txt"; exit 1; }
# stdout is their config's model = dict(...) as Python, at the 64-pixel training crop.
/usr/bin/python3 - "$tmp/snippet.py" <<'PY'
import sys
namespace = {}
exec(open(sys.argv[1]).read(), {}, namespace)
m = namespace["model"]
assert m["backbone"]["input_resolution"] == 64 and m["decode_head"]["img_size"] == 64, m
assert m["backbone"]["type"] == "VPTCLIPVisionTransformer" and m["backbone"]["patch_size"] == 8, m["backbone"]
PY

# Their side of the file: an mmseg checkpoint dict, their key names only, the loss buffer for the 28 seen classes
# (inductive: their num_classes is the seen count), the positional embedding at the 64-pixel crop's 8x8 grid.
/usr/bin/python3 - "$tmp/ours.pth" "$work/zegclip/eval.json" <<'PY'
import json, sys
import torch
ckpt = torch.load(sys.argv[1], map_location="cpu")
assert set(ckpt) == {"state_dict", "meta"}, list(ckpt)
state, meta = ckpt["state_dict"], ckpt["meta"]
classes = json.load(open(sys.argv[2]))["classes"]
assert list(meta["CLASSES"]) == [c["name"] for c in classes], meta["CLASSES"]
assert meta["exported_by"] == "zegclip export-authors", meta
prefixes = ("backbone.", "text_encoder.", "decode_head.")
assert all(k.startswith(prefixes) for k in state), [k for k in state if not k.startswith(prefixes)]
assert "clip.logit_scale" not in state and not any(k.startswith(("clip.", "rd.", "decoder.")) for k in state)
seen = sum(c["seen"] for c in classes)
w = state["decode_head.loss_decode.criterion.empty_weight"]
assert w.shape == (seen + 1,) and float(w[-1]) == float(torch.tensor(0.1)) and bool((w[:-1] == 1).all()), w
assert state["backbone.positional_embedding"].shape[0] == 8 * 8 + 1, state["backbone.positional_embedding"].shape
for layer in range(3):
    assert state[f"decode_head.decoder_1.layers.{layer}.self_attn.in_proj_weight"].abs().sum() == 0
    assert (state[f"decode_head.decoder_1.layers.{layer}.norm1.weight"] == 1).all()
assert all(v.dtype == torch.float32 and torch.isfinite(v).all() for v in state.values())
PY

# Back through the authors' import: the same labels on a crop-sized image, whole and calibrated.
/usr/bin/python3 tools/convert_zegclip_checkpoint.py "$tmp/ours.pth" "$tmp/ours.tensors" >/dev/null
image=$work/zegclip/examples/000_image.ppm
classes="red dotted,blue plain,green checkered,yellow horizontal"
$bin segment --checkpoint="$ckpt" --clip_checkpoint="$work/clip/clip.pt" --image="$image" --classes="$classes" \
    --seen_classes="red dotted,green checkered" --scores_out="$tmp/ours.npy" --out="$tmp/s_ours" >/dev/null
$bin segment --authors_checkpoint="$tmp/ours.tensors" --config="$work/zegclip/config.pbtxt" --image="$image" \
    --classes="$classes" --seen_classes="red dotted,green checkered" --scores_out="$tmp/theirs.npy" \
    --out="$tmp/s_theirs" >/dev/null
/usr/bin/python3 - "$tmp/ours.npy" "$tmp/theirs.npy" <<'PY'
import sys
import numpy as np
ours, theirs = np.load(sys.argv[1]), np.load(sys.argv[2])
assert ours.shape == theirs.shape == (4, 64, 64), (ours.shape, theirs.shape)
gap = np.abs(ours - theirs).max()
agree = (ours.argmax(0) == theirs.argmax(0)).mean()
print(f"export -> import: max |score difference| {gap:.2e}, labels agree on {agree:.4%} of pixels")
assert gap < 1e-4, gap
assert agree >= 0.999, agree
PY

# Every failure: exit status 1, one "error:" line saying what is wrong, no file written.
fails() {  # EXPECTED_TEXT ARGS...
  local want=$1; shift
  local text status=0
  text=$($bin export-authors "$@" 2>&1) || status=$?
  if [ "$status" -ne 1 ] || [ "$(wc -l <<<"$text")" -ne 1 ] || [[ "$text" != error:* ]] || [[ "$text" != *"$want"* ]]; then
    echo "export-authors $* -> status $status, want 1 and one error line with '$want':"; echo "$text"; exit 1
  fi
}
fails "needs --checkpoint" --out="$tmp/e.pth"
fails "needs --checkpoint" --checkpoint="$ckpt"
fails "$tmp/none.ckpt: no such file" --checkpoint="$tmp/none.ckpt" --out="$tmp/e.pth"
fails "input resolution 60 is not a multiple of the patch size 8" --checkpoint="$ckpt" --input_resolution=60 \
      --out="$tmp/e.pth"
fails "must be positive" --checkpoint="$ckpt" --loss_classes=-2 --out="$tmp/e.pth"
fails "$tmp/none/clip.pt: no such file" --checkpoint="$ckpt" --clip_checkpoint="$tmp/none/clip.pt" --out="$tmp/e.pth"
echo "garbage" > "$tmp/bad.ckpt"
fails "$tmp/bad.ckpt" --checkpoint="$tmp/bad.ckpt" --config="$work/zegclip/config.pbtxt" --out="$tmp/e.pth"
mkdir -p "$tmp/lone" && cp "$ckpt" "$tmp/lone/"
fails "no config.pbtxt beside it" --checkpoint="$tmp/lone/iter_3.ckpt" --out="$tmp/e.pth"
fails "e.pth: open of the temporary file" --checkpoint="$ckpt" --out="$tmp/no/such/folder/e.pth"
test ! -e "$tmp/e.pth" || { echo "a failed export left $tmp/e.pth behind"; exit 1; }
echo PASS
