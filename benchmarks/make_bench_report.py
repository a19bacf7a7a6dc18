#!/usr/bin/env python3
"""Collects benchmark result folders into one Markdown report (benchmarks/REPORT.md).

A result folder is what benchmarks/run_benchmarks.sh --out=DIR writes (cpp_<bench>.json and reference_<bench>.json,
measured one after the other on one machine) and, from tools/gpu/gpu_check.sh, optionally agreement.json (C++ vs
reference outputs on shared weights) and profile_*.json (where the time goes) beside or one folder above it.
Every table states the device, the versions and the date of its figures; ratios are C++ images/s over the reference's
images/s for the same row, measured in the same run.

  python3 benchmarks/make_bench_report.py --notes=benchmarks/REPORT_NOTES.md \\
      --run="H200 (gpu_check)=benchmarks/results/h200_2026-11-27" --run="CPU=/tmp/cpu_bench" --out=benchmarks/REPORT.md
"""
import argparse
import datetime
import json
import os
import sys

# The speed goals: (C++ row, reference variant, minimum ratio).
GOALS = [
    (("inference", "whole512", "fp32", 1), "authors", 2.0, "inference fp32 batch 1 vs eager fp32"),
    (("inference", "whole512", "bf16", 16), "sdpa", 1.5, "inference bf16 batch 16 vs fused-SDPA bf16"),
    (("train_step", "voc512", "bf16", 4), "authors", 1.3, "training step (VOC, bf16, batch 4) vs eager bf16"),
]


def load(path):
    with open(path) as f:
        return json.load(f)


def row_key(row):
    return (row["task"], row["input"], row["precision"], int(row["batch"]))


def stamp(path):
    return datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def fmt(x, digits=1):
    if x is None:
        return "—"
    if 0 < abs(x) < 10 and digits < 3:  # CPU rates (0.2 img/s) keep three significant digits
        return f"{x:.3g}"
    return f"{x:,.{digits}f}"


def bench_section(folder, bench, lines):
    """Appends the table of one benchmark; returns {(row key, reference variant): ratio} and the C++ device."""
    cpp_path = os.path.join(folder, f"cpp_{bench}.json")
    ref_path = os.path.join(folder, f"reference_{bench}.json")
    if not os.path.exists(cpp_path):
        return {}, None
    cpp = load(cpp_path)
    ref = load(ref_path) if os.path.exists(ref_path) else {"rows": [], "torch_version": "?"}
    by_variant = {}
    for r in ref["rows"]:
        if r["status"] == "ok":
            by_variant.setdefault(r["variant"], {})[row_key(r)] = r
    variants = sorted(by_variant)
    lines.append(f"\n### {bench.replace('_', ' ')} — {cpp['device_name']} ({cpp['device']}), {stamp(cpp_path)}\n")
    lines.append(f"C++: LibTorch {cpp['torch_version']}, {cpp['config'].get('attention', '?')} attention, "
                 f"{cpp['threads']} threads. Reference: PyTorch {ref.get('torch_version', '?')} eager "
                 f"({', '.join(variants) or 'not run'}). Peak memory: {cpp['mem_kind']}.\n")
    header = ["row", "C++ img/s"] + [f"{v} img/s" for v in variants] + [f"× {v}" for v in variants] + \
             ["C++ p50 ms", "C++ MiB"] + [f"{v} MiB" for v in variants]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    ratios = {}
    for r in cpp["rows"]:
        key = row_key(r)
        name = f"{r['input']} {r['precision']} b{r['batch']}"
        if r["status"] != "ok":
            lines.append(f"| {name} | {r['status']} |" + " |" * (len(header) - 2))
            continue
        refs = [by_variant[v].get(key) for v in variants]
        cells = [name, fmt(r["images_per_s"])]
        cells += [fmt(x["images_per_s"]) if x else "—" for x in refs]
        for v, x in zip(variants, refs):
            ratio = r["images_per_s"] / x["images_per_s"] if x and x["images_per_s"] > 0 else None
            ratios[(key, v)] = ratio
            cells.append("—" if ratio is None else f"{ratio:.2f}")
        cells += [fmt(r["latency_ms"]["p50"], 2), fmt(r["peak_mem_mb"], 0)]
        cells += [fmt(x["peak_mem_mb"], 0) if x else "—" for x in refs]
        lines.append("| " + " | ".join(cells) + " |")
    phased = [r for r in cpp["rows"] if r.get("phases_ms")]
    if phased:
        lines.append("\nC++ phases (ms, synchronised): " + "; ".join(
            f"{r['input']} {r['precision']} b{r['batch']}: " +
            ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["phases_ms"].items())) for r in phased))
    return ratios, cpp["device"]


def agreement_section(path, lines):
    a = load(path)
    lines.append(f"\n### Output agreement on shared weights — {a['device']}, LibTorch {a['torch_version']}, "
                 f"{stamp(path)}\n")
    lines.append("The reference's random ViT-B/16 weights (exported by benchmarks/reference/export_agreement.py under "
                 "the authors' names) loaded through the authors'-checkpoint importer; same images and text.\n")
    lines.append("| ours | reference | max abs diff | max diff / max abs ref | mean abs diff | argmax agree |")
    lines.append("|---|---|---|---|---|---|")
    for r in a["rows"]:
        lines.append(f"| {r['ours']} | {r['reference']} | {r['max_abs']:.3g} | {r['max_rel']:.3g} | "
                     f"{r['mean_abs']:.3g} | {100 * r['argmax_agree']:.3f} % |")


def profile_section(path, lines):
    p = load(path)
    lines.append(f"\n### Where the time goes (reference model under torch.profiler) — {p['device_name']}, "
                 f"PyTorch {p['torch_version']}, {stamp(path)}\n")
    if p["device"] == "cuda" and p.get("counting") != "kernels":
        lines.append("This file predates the kernel-only counting of profile_reference.py: the device times of ATen "
                     "ops and of the kernels they launched were both summed, so each figure is about twice the "
                     "kernels' own time (shares between categories are approximate).\n")
    for case in p["cases"]:
        phases = ", ".join(f"{k} {v:.2f} ms" for k, v in case["phases_ms"].items())
        lines.append(f"- {case['variant']} {case['precision']} batch {case['batch']}: "
                     f"{case['device_ms_per_iter']:.2f} ms device time per forward (synchronised phases: {phases}; "
                     "the reference's head includes its upsampling)")
        for name, c in case["categories"].items():
            lines.append(f"  - {100 * c['share']:.1f} % {name} ({c['ms_per_iter']:.3f} ms)")


def loader_section(path, lines):
    """benchmarks/loader_benchmark's JSON: training-pipeline images/s from disk against decode-only."""
    j = load(path)
    lines.append(f"\n### Data loader — {j['hardware_threads']} hardware threads, {stamp(path)}\n")
    lines.append(f"{j['images']} images from disk; the reference is a single-threaded decode-only loop over the same "
                 "files; the pipeline adds mmseg's ratio-range resize, 512x512 crop, flip, photometric distortion, "
                 "normalisation and batching.\n")
    lines.append("| pipeline | img/s | × decode-only |")
    lines.append("|---|---|---|")
    lines.append(f"| decode only (reference) | {fmt(j['decode_only_images_per_s'])} | 1.00 |")
    if "render_images_per_s" in j:  # the synthetic world: what training renders instead of reading
        lines.append(f"| render in memory, 1 thread | {fmt(j['render_images_per_s'])} | "
                     f"{j['render_ratio_vs_decode_only']:.2f} |")
    for r in j["rows"]:
        lines.append(f"| train pipeline, {r['workers']} worker(s) | {fmt(r['images_per_s'])} | "
                     f"{r['ratio_vs_decode_only']:.2f} |")


def cpp_phase_section(folder, lines):
    """C++ phase splits (inference_benchmark / train_step_benchmark --breakdown), synchronised between phases."""
    rows = []
    for name in ("profile_cpp_inference.json", "profile_cpp_train_step.json"):
        path = find(folder, name)
        if path:
            rows += [(r, load(path)) for r in load(path)["rows"] if r.get("phases_ms")]
    if not rows:
        return
    lines.append("\n### C++ phases (ms per iteration, device synchronised after each phase)\n")
    lines.append("| row | phases | total |")
    lines.append("|---|---|---|")
    for r, _ in rows:
        phases = r["phases_ms"]
        lines.append(f"| {r['task']} {r['input']} {r['precision']} b{r['batch']} | " +
                     ", ".join(f"{k} {v:.2f}" for k, v in sorted(phases.items(), key=lambda kv: -kv[1])) +
                     f" | {sum(phases.values()):.2f} |")


def find(folder, name):
    for d in (folder, os.path.dirname(folder.rstrip("/"))):
        path = os.path.join(d, name)
        if os.path.exists(path):
            return path
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--run", action="append", required=True, help="LABEL=FOLDER (repeatable)")
    p.add_argument("--out", default="", help="Markdown file (default: stdout)")
    p.add_argument("--notes", default="", help="a hand-written Markdown file placed after the introduction")
    args = p.parse_args()
    lines = ["# Benchmark report", "",
             "Generated by `benchmarks/make_bench_report.py` from the JSON that `benchmarks/run_benchmarks.sh` and "
             "`tools/gpu/gpu_check.sh` write. Ratios: C++ images/s ÷ the PyTorch reference's images/s for the same "
             "row, both measured in the same run on the same machine (> 1: C++ faster)."]
    if args.notes:
        with open(args.notes) as f:
            lines += ["", f.read().rstrip()]
    for spec in args.run:
        label, sep, folder = spec.partition("=")
        if not sep or not os.path.isdir(folder):
            sys.exit(f"make_bench_report.py: --run must be LABEL=FOLDER with an existing folder, got '{spec}'")
        lines.append(f"\n## {label}")
        ratios, devices = {}, set()
        for bench in ("inference", "train_step"):
            bench_ratios, device = bench_section(folder, bench, lines)
            ratios.update(bench_ratios)
            devices.add(device)
        # The goals are GPU goals (the H200 reference points).
        on_gpu = "cuda" in devices
        goals = [(desc, ratios.get((key, variant)), need) for key, variant, need, desc in GOALS
                 if on_gpu and (key, variant) in ratios]
        if goals:
            lines.append("\nGoals: " + "; ".join(
                f"{desc}: {'—' if r is None else f'{r:.2f}×'} (goal ≥ {need}×, "
                f"{'met' if r is not None and r >= need else 'not met'})" for desc, r, need in goals))
        for name, section in (("agreement.json", agreement_section), ("profile_reference.json", profile_section),
                              ("loader.json", loader_section)):
            path = find(folder, name)
            if path:
                section(path, lines)
        cpp_phase_section(folder, lines)
    text = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
