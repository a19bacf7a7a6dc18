#!/usr/bin/env bash
# The command-line contract: resolved config on success, one error line and a non-zero exit on bad input.
set -u
bin=tools/zegclip
fails=0
check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}

# --nocheck_files: the config alone (this machine has no VOC and no ViT-B-16.pt; hostile_inputs_test checks files).
out=$($bin validate-config --nocheck_files --config=experiments/voc_inductive.pbtxt --set=train.max_iters=123 \
      --set=model.loss.kind=EL)
check "validate-config exits 0" test $? -eq 0
check "override applied" grep -q "max_iters: 123" <<<"$out"
check "enum override applied" grep -q "kind: EL" <<<"$out"
check "defaults resolved" grep -q "warmup_ratio: 1e-06" <<<"$out"
check "class summary" grep -q "20 classes, 15 seen, 5 unseen" <<<"$out"

printf 'data {\n  crop_size: 500\n}\n' > "$TEST_TMPDIR/bad.pbtxt"
err=$($bin validate-config --nocheck_files --config="$TEST_TMPDIR/bad.pbtxt" 2>&1 >/dev/null); rc=$?
check "semantic error exits 1" test $rc -eq 1
check "semantic error is one line" test "$(wc -l <<<"$err")" -eq 1
check "semantic error names file and field" grep -q "bad.pbtxt: data.crop_size: 500" <<<"$err"

printf 'train {\n  max_iters: ten\n}\n' > "$TEST_TMPDIR/syntax.pbtxt"
err=$($bin validate-config --nocheck_files --config="$TEST_TMPDIR/syntax.pbtxt" 2>&1 >/dev/null); rc=$?
check "syntax error exits 1" test $rc -eq 1
check "syntax error has line" grep -q "syntax.pbtxt: line 2, column 14" <<<"$err"

# summary: the VOC recipe's parameter table from the config alone (no weights, no data).
out=$($bin summary --config=experiments/voc_inductive.pbtxt)
check "summary exits 0" test $? -eq 0
check "summary has the authors' 13.8 M" grep -q "13,821,184 (13.82 M)" <<<"$out"
check "summary has a frozen column" grep -q "^module .*learnable *frozen$" <<<"$out"
err=$($bin summary --config=experiments/voc_inductive.pbtxt --set=model.decoder.heads=7 2>&1 >/dev/null); rc=$?
check "summary of an invalid model exits 1" test $rc -eq 1
check "summary error is one line" test "$(wc -l <<<"$err")" -eq 1

$bin frobnicate >/dev/null 2>"$TEST_TMPDIR/err"; rc=$?
check "unknown command exits 2" test $rc -eq 2
check "unknown command lists commands" grep -q "known commands: help, validate-config" "$TEST_TMPDIR/err"

out=$($bin version)
check "version lists libtorch" grep -q "^libtorch: " <<<"$out"
check "version lists mpi" grep -qi "^mpi: open mpi" <<<"$out"

echo "$fails failed"
test $fails -eq 0
