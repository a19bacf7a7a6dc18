#!/usr/bin/env bash
# The wide world at toy size (experiments/synthetic_wide_world.pbtxt): CLIP pre-trains on all 64 compositions and
# its vocabulary has the extra words; the segmenter's world has the 44 classes of the file, 8 of them unseen.
set -euo pipefail
bin=tools/zegclip
work=$TEST_TMPDIR/w
export MPLCONFIGDIR=$TEST_TMPDIR/mpl
source experiments/quickstart_toy_sizes.sh
small+=(--set=train.eval_interval=3)
out=$($bin quickstart --config=experiments/synthetic_wide_world.pbtxt --work_dir="$work" "${small[@]}" 2>&1) ||
  { echo "$out"; exit 1; }
# Every extra word is one token of the wide CLIP's vocabulary: "a cyan zigzag object." = sot a cyan zigzag object . eot.
tokens=$($bin tokenize --text="a cyan zigzag object." --bpe_vocab="$work/clip/world_bpe.txt.gz" --context_length=24)
test "$(tr ' ' '\n' <<<"$tokens" | grep -vc '^0$')" -eq 7 || { echo "cyan/zigzag not single tokens: $tokens"; exit 1; }
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
e = json.load(open(f"{work}/zegclip/eval.json"))
names = [c["name"] for c in e["classes"]]
assert len(names) == 44 and names[:2] == ["red plain", "red horizontal"], names
unseen = sorted(c["name"] for c in e["classes"] if not c["seen"])
assert unseen == sorted(["cyan plain", "cyan dotted", "pink vertical", "pink checkered", "red gridded",
                         "blue gridded", "green zigzag", "yellow zigzag"]), unseen
p = json.load(open(f"{work}/clip/pretrain.json"))
assert p["retrieval_images"] == 88, p   # 2 images of each of the segmenter's 44 classes
PY
echo PASS
