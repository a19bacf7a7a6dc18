"""Every shipped experiment as Bazel targets.

zegclip_experiment(name = "voc_inductive") makes, for experiments/voc_inductive.pbtxt:
  //experiments:voc_inductive        bazel run ... -- --set=data.root=...   trains into runs/voc_inductive/
  //experiments:voc_inductive.eval   bazel run ... -- --checkpoint=...       evaluates into runs/voc_inductive/eval/
  //experiments:voc_inductive_test   2 iterations + evaluation on a stand-in of its dataset (and of the run its
                                     init_checkpoint or --checkpoint names), with a tiny random CLIP
zegclip_sweep(name = "voc_ablation") makes //experiments/sweeps:voc_ablation (`zegclip sweep` into runs/voc_ablation/).
"""

_RUNNER = "//experiments:run_experiment.sh"

def zegclip_experiment(name, config = None, deps = []):
    """Train and eval binaries and the stand-in test of one experiment file.

    Args:
      name: the experiment's name (runs/<name>/ is its run directory).
      config: the experiment file, <name>.pbtxt by default.
      deps: experiment files the file builds on (a transductive file's inductive run, an evaluation's source).
    """
    config = config or name + ".pbtxt"
    data = [config, "//experiments:experiment_files", "//tools:zegclip", "//third_party:clip_bpe_vocab"]
    for mode, target in [("train", name), ("eval", name + ".eval")]:
        native.sh_binary(
            name = target,
            srcs = [_RUNNER],
            args = [mode, "$(rootpath %s)" % config, name],
            data = data,
        )
    native.sh_test(
        name = name + "_test",
        size = "large",
        srcs = ["//experiments/testing:paper_experiments_test.sh"],
        args = [
            "$(rootpath //tools:zegclip)",
            "$(rootpath //zegclip/clip:make_test_clip_checkpoint)",
            "$(rootpath //experiments/testing:make_standin_dataset.py)",
            "$(rootpath //experiments/testing:standin_lib.sh)",
        ] + ["$(rootpath %s)" % f for f in deps + [config]],
        data = data + deps + [
            "//experiments/testing:make_standin_dataset.py",
            "//experiments/testing:standin_lib.sh",
            "//zegclip/clip:make_test_clip_checkpoint",
        ],
        tags = ["large"],
    )

def zegclip_sweep(name, sweep = None):
    """`bazel run` of a sweep file: every point trained into runs/<name>/<point>/, the table in runs/<name>/sweep.md."""
    sweep = sweep or name + ".pbtxt"
    native.sh_binary(
        name = name,
        srcs = [_RUNNER],
        args = ["sweep", "$(rootpath %s)" % sweep, name],
        data = [sweep, "//experiments:experiment_files", "//tools:zegclip", "//third_party:clip_bpe_vocab"],
    )
