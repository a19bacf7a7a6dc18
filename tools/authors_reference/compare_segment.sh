#!/usr/bin/env bash
# Runs the authors' own ZegCLIP test path (authors_test_path.py, random seeded weights) and our `zegclip segment` on
# the same images with the same weights, then compares labels and scores (compare_labels.py; exit 1 below 99.9 %).
#
#   tools/authors_reference/compare_segment.sh bazel-bin/tools/zegclip /tmp/zegclip_authors /tmp/compare [ARGS...]
#
# AUTHORS_REPO is a plain checkout of the authors' repository; ARGS go to authors_test_path.py (--seed=, --images=).
# OURS_CONFIG is our experiment for the same recipe (default experiments/voc_inductive.pbtxt; with
# --config=configs/voc12/vpt_seg_zero_vit-b_512x512_10k_12_10_st.py use experiments/voc_transductive.pbtxt).
# SKIP_AUTHORS=1 reuses the reference outputs already in OUT (only our side and the comparison run again).
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 ZEGCLIP_BIN AUTHORS_REPO OUT [authors_test_path.py args...]" >&2
  exit 2
fi
abspath() { if [[ "$1" = /* ]]; then echo "$1"; else echo "$PWD/$1"; fi; }
bin=$(abspath "$1"); authors=$(abspath "$2"); out=$(abspath "$3"); shift 3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[[ -x "$bin" ]] || { echo "error: $bin is not an executable" >&2; exit 2; }
mkdir -p "$out"

if [[ "${SKIP_AUTHORS:-0}" != 1 ]]; then
  /usr/bin/python3 tools/authors_reference/authors_test_path.py --authors_repo="$authors" --out="$out" "$@"
fi
/usr/bin/python3 tools/convert_zegclip_checkpoint.py "$out/authors.pth" "$out/authors.tensors"

read_summary() { /usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); print($1)" \
                   "$out/authors_summary.json"; }
classes=$(read_summary "','.join(s['classes'])")
seen=$(read_summary "','.join(map(str, s['seen_classes']))")
ours_config=${OURS_CONFIG:-experiments/voc_inductive.pbtxt}
for name in $(read_summary "' '.join(i['name'] for i in s['images'])"); do
  echo "== ours: $name"
  start=$(date +%s)
  "$bin" segment --authors_checkpoint="$out/authors.tensors" --config="$ours_config" \
      --image="$out/$name.png" --classes="$classes" --seen_classes="$seen" \
      --scores_out="$out/${name}_ours_scores.npy" --out="$out/${name}_ours"
  echo "   $(( $(date +%s) - start )) s"
done
/usr/bin/python3 tools/authors_reference/compare_labels.py "$out"
