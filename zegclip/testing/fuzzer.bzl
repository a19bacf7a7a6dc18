"""zegclip_fuzzer: one libFuzzer target, and a test that replays its seed corpus in every build.

    zegclip_fuzzer(
        name = "npy_fuzzer",                  # npy_fuzzer.cc defines LLVMFuzzerTestOneInput
        srcs = ["npy_fuzzer.cc"],
        deps = [":npy_io"],
        corpus = glob(["testdata/fuzz/npy/*"]),
    )

gives
  - `npy_fuzzer`: under `--config=asan` (clang, ASan + UBSan, coverage instrumentation) a libFuzzer binary:
    `bazel-bin/zegclip/clip/npy_fuzzer -max_total_time=60 CORPUS_DIR`; in the default build a replay binary that
    runs the function once on each file or folder named on its command line.
  - `npy_fuzzer_corpus_test`: the function on every seed of the corpus (and every crash found and fixed, kept in the
    corpus as a regression input), in the default build and under ASan alike.
"""

def zegclip_fuzzer(name, srcs, deps, corpus, data = [], size = "small", tags = []):
    fuzzing = "//zegclip/testing:fuzzing"
    native.cc_binary(
        name = name,
        srcs = srcs,
        data = data,
        deps = deps + select({
            fuzzing: [],
            "//conditions:default": ["//zegclip/testing:fuzz_replay_main"],
        }),
        # libFuzzer's main and its coverage-guided loop; the sanitizers come from the config's own flags.
        linkopts = select({
            fuzzing: ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = tags + ["fuzzer"],
    )
    native.cc_test(
        name = name + "_corpus_test",
        srcs = srcs,
        data = data + corpus,
        args = ["$(location %s)" % c for c in corpus],
        deps = deps + ["//zegclip/testing:fuzz_replay_main"],
        size = size,
        tags = tags,
        # The sanitizer suite (//zegclip/testing:sanitized) lists every corpus test.
        visibility = ["//zegclip/testing:__pkg__"],
    )
