#!/usr/bin/env bash
# tools/analysis/patch_feature_spread.py: its encoder against `zegclip clip-encode` on a tiny CLIP (the CLS embedding
# of two 32x32 images, to 1e-5), and its three measures on inputs whose answers are known.
set -uo pipefail
T=$TEST_TMPDIR
py=/usr/bin/python3
zegclip/clip/make_test_clip_checkpoint "$T/tiny.pt" || { echo "FAIL make_test_clip_checkpoint"; exit 1; }
$py - "$T" <<'PY' || { echo "FAIL writing the images"; exit 1; }
import sys
import numpy as np
from PIL import Image
rng = np.random.default_rng(0)
for name in ('a', 'b'):
    Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(f'{sys.argv[1]}/{name}.png')
PY
tools/zegclip clip-encode --clip_checkpoint="$T/tiny.pt" --image="$T/a.png" --image="$T/b.png" \
  --out_image="$T/cls.npy" >/dev/null || { echo "FAIL clip-encode"; exit 1; }
PYTHONPATH=tools/analysis $py - "$T" <<'PY'
import sys
import numpy as np
import torch
import patch_feature_spread as spread

T = sys.argv[1]
failures = 0
def check(name, ok):
    global failures
    print(('ok   ' if ok else 'FAIL ') + name)
    failures += not ok

# CLIP preprocessing of a 32x32 image for a 32x32 CLIP is the normalisation alone.
sd = spread.load_visual(f'{T}/tiny.pt')
images = spread.read_images([f'{T}/a.png', f'{T}/b.png'], spread.CLIP_MEAN, spread.CLIP_STD)
mine = spread.encode(sd, images, heads=2)[:, 0].numpy()
theirs = np.load(f'{T}/cls.npy')
check(f'CLS embeddings match clip-encode (max |diff| {np.abs(mine - theirs).max():.2e})',
      mine.shape == theirs.shape and np.abs(mine - theirs).max() < 1e-5)
one_head = spread.encode(sd, images, heads=1)[:, 0].numpy()
check('a wrong head count does not match', np.abs(one_head - theirs).max() > 1e-3)

# Collapsed: every patch the same vector.
same = torch.nn.functional.normalize(torch.ones(2, 4, 3), dim=-1)
cos, var, r2 = spread.spread_metrics(same, torch.tensor([[0, 0, 1, 1], [0, 1, 0, 1]]))
check(f'collapsed patches: cos 1, spread 0, R2 0 (got {cos:.3f} {var:.3f} {r2:.3f})',
      abs(cos - 1) < 1e-6 and var < 1e-12 and r2 == 0)
# Sorted by class: two classes on orthogonal unit vectors, two patches each.
eye = torch.eye(2)
sorted_ = torch.stack([eye[[0, 0, 1, 1]]])
cos, var, r2 = spread.spread_metrics(sorted_, torch.tensor([[3, 3, 7, 7]]))
check(f'class-sorted patches: cos 0.5, spread 0.5, R2 1 (got {cos:.3f} {var:.3f} {r2:.3f})',
      abs(cos - 0.5) < 1e-6 and abs(var - 0.5) < 1e-6 and abs(r2 - 1) < 1e-6)
# Label maps to patches: the majority class of each 2x2 cell.
labels = torch.tensor([[[1, 1, 2, 2], [1, 0, 2, 2], [5, 5, 6, 6], [5, 5, 6, 4]]])
check('patch labels are the majority class per cell',
      spread.patch_labels(labels, 2, 2).tolist() == [[1, 2, 5, 6]])
sys.exit(1 if failures else 0)
PY
rc=$?
[[ $rc -eq 0 ]] && echo "PASS" || echo "FAIL"
exit $rc
