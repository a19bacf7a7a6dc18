#!/usr/bin/python3
"""Every `#include "..."` of a project header is backed by a direct dependency of the target that includes it.

Usage: include_deps_check.py [WORKSPACE_ROOT]     (default: the workspace this script lies in)

Reads every BUILD file of the workspace (they are plain Starlark calls: each rule is recorded with its srcs, hdrs and
deps; globs are expanded), maps each header to the library that declares it (hdrs, or srcs for headers private to a
target), then reads every C++ file of every cc_library / cc_binary / cc_test (fuzz targets included) and checks
that each quoted include of a project header is the target's own or a direct dep's. A header reached only through a
dependency's dependency builds today and breaks the day that dependency drops it: Bazel's layering check in words.
Prints one line per violation, "<file>: includes <header> (<owner>) but <target> does not depend on it", and exits 1
if there is any; angle-bracket includes (system and third-party libraries) are not checked.
"""
import glob as globlib
import os
import re
import sys

CC_RULES = {"cc_library", "cc_binary", "cc_test"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


class Package:
    """The rules of one BUILD file, recorded by calling it with stub rule functions."""

    def __init__(self, root, path):
        self.root = root
        self.name = os.path.relpath(os.path.dirname(path), root).replace(os.sep, "/")
        if self.name == ".":
            self.name = ""
        self.rules = []
        env = {name: self._rule(name) for name in (
            "cc_library", "cc_binary", "cc_test", "sh_test", "sh_binary", "filegroup", "genrule", "test_suite",
            "config_setting", "alias")}
        env.update(package=lambda **kw: None, exports_files=lambda *a, **kw: None, load=lambda *a: None,
                   glob=self._glob, select=lambda d: sorted(d.values(), key=len)[-1],
                   cc_proto=self._cc_proto, zegclip_fuzzer=self._fuzzer,
                   zegclip_experiment=lambda **kw: None, zegclip_sweep=lambda **kw: None)
        with open(path) as f:
            exec(compile(f.read(), path, "exec"), env)

    def _rule(self, kind):
        def record(**kw):
            self.rules.append((kind, kw))
        return record

    def _glob(self, patterns, exclude=()):
        base = os.path.join(self.root, self.name)
        out = set()
        for p in patterns:
            out.update(os.path.relpath(f, base) for f in globlib.glob(os.path.join(base, p), recursive=True))
        return sorted(out - set(exclude))

    def _cc_proto(self, name, src, deps=(), visibility=None):
        stem = src[:-len(".proto")]
        self.rules.append(("cc_library", {"name": name, "hdrs": [stem + ".pb.h"], "srcs": [],
                                           "deps": list(deps), "generated": True}))

    def _fuzzer(self, name, srcs, deps, **kw):
        self.rules.append(("cc_binary", {"name": name, "srcs": srcs, "deps": deps}))

    def label(self, dep):
        """A dep as written in this package, as //package:name."""
        if dep.startswith(":"):
            return "//%s%s" % (self.name, dep)
        if dep.startswith("//") and ":" not in dep:
            return dep + ":" + dep.rsplit("/", 1)[-1]
        return dep

    def file(self, src):
        """A src or hdr as a workspace path (None for labels of other packages)."""
        if src.startswith("//") or src.startswith(":"):
            return None
        return (self.name + "/" + src) if self.name else src


def main(root):
    packages = []
    for path in sorted(globlib.glob(os.path.join(root, "**", "BUILD"), recursive=True)):
        if "/bazel-" in path or "/.git/" in path:
            continue
        packages.append(Package(root, path))
    owner = {}  # header path -> the label declaring it: in hdrs first, else in srcs (a header private to a target)
    targets = []  # (label, files, deps)
    for attribute in ("hdrs", "srcs"):
        for pkg in packages:
            for kind, rule in pkg.rules:
                if kind in CC_RULES:
                    for f in filter(None, (pkg.file(x) for x in rule.get(attribute, []))):
                        if f.endswith(".h"):
                            owner.setdefault(f, "//%s:%s" % (pkg.name, rule["name"]))
    for pkg in packages:
        for kind, rule in pkg.rules:
            if kind not in CC_RULES or rule.get("generated"):
                continue
            files = [pkg.file(f) for f in list(rule.get("srcs", [])) + list(rule.get("hdrs", []))]
            targets.append(("//%s:%s" % (pkg.name, rule["name"]), [f for f in files if f],
                            {pkg.label(d) for d in rule.get("deps", [])}))
    problems = []
    for label, files, deps in targets:
        for f in files:
            path = os.path.join(root, f)
            if not os.path.isfile(path):
                continue
            with open(path, errors="replace") as text:
                for header in INCLUDE.findall(text.read()):
                    source = owner.get(header)
                    if source is None or source == label or source in deps:
                        continue
                    problems.append("%s: includes %s (%s) but %s does not depend on it" % (f, header, source, label))
    for p in sorted(set(problems)):
        print(p)
    print("include_deps_check: %d target(s), %d header(s) owned, %d violation(s)" %
          (len(targets), len(owner), len(set(problems))))
    return 1 if problems else 0


if __name__ == "__main__":
    here = os.path.realpath(__file__)
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.dirname(here)))))
