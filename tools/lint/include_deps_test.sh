#!/usr/bin/env bash
# include_deps_check.py: a made-up workspace with one include that only a dependency's dependency backs fails with
# that file, header and target named; with the dep added it passes; then the real tree passes.
set -u
script=$(realpath tools/lint/include_deps_check.py)
fake=${TEST_TMPDIR:-$(mktemp -d)}/fake
rm -rf "$fake" && mkdir -p "$fake/a" "$fake/b" "$fake/c"
cat >"$fake/a/BUILD" <<'B'
cc_library(name = "a", hdrs = ["a.h"])
B
cat >"$fake/b/BUILD" <<'B'
cc_library(name = "b", hdrs = ["b.h"], deps = ["//a"])
B
cat >"$fake/c/BUILD" <<'B'
cc_library(
    name = "c",
    srcs = glob(["*.cc"]),
    deps = ["//b"],
)
B
echo '#pragma once' >"$fake/a/a.h"
printf '#pragma once\n#include "a/a.h"\n' >"$fake/b/b.h"
printf '#include "b/b.h"\n#include "a/a.h"\n#include <vector>\n' >"$fake/c/c.cc"
out=$(/usr/bin/python3 "$script" "$fake"); rc=$?
[ $rc -eq 1 ] || { echo "FAIL: a transitive-only include passed (rc $rc)"; echo "$out"; exit 1; }
grep -qx "c/c.cc: includes a/a.h (//a:a) but //c:c does not depend on it" <<<"$out" ||
  { echo "FAIL: violation not named"; echo "$out"; exit 1; }
test "$(grep -c 'does not depend' <<<"$out")" -eq 1 || { echo "FAIL: more than the one violation"; echo "$out"; exit 1; }
sed -i 's|deps = \["//b"\],|deps = ["//a", "//b"],|' "$fake/c/BUILD"
/usr/bin/python3 "$script" "$fake" >/dev/null || { echo "FAIL: the fixed workspace still fails"; exit 1; }
/usr/bin/python3 "$script" || { echo "FAIL: the source tree has includes no direct dep backs (listed above)"; exit 1; }
echo PASS
