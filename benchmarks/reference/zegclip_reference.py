#!/usr/bin/env python3
"""Reference timings for the C++ benchmarks: the authors'-style PyTorch eager ZegCLIP (zegclip_reference_model.py)
measured on the same rows, with the same statistics, written in the same JSON schema as
benchmarks/inference_benchmark.cc and benchmarks/train_step_benchmark.cc (see benchmarks/benchmark_report.h).

Variants: "authors" (nn.MultiheadAttention, as released) and, with PyTorch >= 2.0, "sdpa" (the same weights through
F.scaled_dot_product_attention). Runs on Debian's python3-torch 1.13 (CPU) and on PyTorch 2.x with CUDA.

  python3 benchmarks/reference/zegclip_reference.py --benchmark=inference --quick --json_out=ref.json
  python3 benchmarks/reference/zegclip_reference.py --benchmark=train_step --device=cuda --json_out=ref_train.json
"""
import argparse
import contextlib
import json
import os
import re
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zegclip_reference_model as zr  # noqa: E402

SCHEMA = "zegclip-benchmark/1"


def percentile(samples, q):
    """Linear interpolation between closest ranks (numpy's default), as benchmark_report.h."""
    if not samples:
        return 0.0
    s = sorted(samples)
    pos = q / 100.0 * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def reset_peak_memory(device):
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        return
    with open("/proc/self/clear_refs", "w") as f:  # "5" resets VmHWM to the current resident set
        f.write("5")


def peak_memory_mb(device):
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / float(1 << 20)
    with open("/proc/self/status") as f:
        match = re.search(r"VmHWM:\s+(\d+)", f.read())
    return int(match.group(1)) / 1024.0 if match else 0.0


def autocast(device, bf16):
    if not bf16:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def time_iterations(device, warmup, iters, fn):
    for _ in range(warmup):
        fn()
    synchronize(device)
    reset_peak_memory(device)
    latencies = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        synchronize(device)
        latencies.append((time.perf_counter() - start) * 1e3)
    return latencies, peak_memory_mb(device)


class PhaseClock:
    """benchmark_runtime.h's PhaseClock: mark(phase) synchronises and charges the time since the last mark."""

    def __init__(self, device, enabled):
        self.device, self.enabled, self.iterations, self.last = device, enabled, [], 0.0

    def start_iteration(self):
        if self.enabled:
            self.iterations.append({})
            synchronize(self.device)
            self.last = time.perf_counter()

    def mark(self, phase):
        if self.enabled:
            synchronize(self.device)
            now = time.perf_counter()
            self.iterations[-1][phase] = self.iterations[-1].get(phase, 0.0) + (now - self.last) * 1e3
            self.last = now

    def mean_ms(self, iters):
        timed = self.iterations[-iters:] if iters > 0 else []
        return {p: sum(it.get(p, 0.0) for it in timed) / len(timed) for p in (timed[0] if timed else {})}


def new_row(task, inp, precision, batch, variant, args):
    return {"key": "%s/%s/%s/b%d" % (task, inp, precision, batch), "task": task, "input": inp,
            "precision": precision, "batch": batch, "variant": variant, "status": "ok", "iters": args.iters,
            "warmup": args.warmup, "images_per_s": 0.0, "iters_per_s": 0.0, "peak_mem_mb": 0.0,
            "latency_ms": {"mean": 0.0, "p50": 0.0, "p90": 0.0, "p99": 0.0}}


def measure(row, device, args, fn):
    """Fills the row from a timed run of fn; an exception (e.g. out of memory) becomes the row's status."""
    try:
        latencies, peak = time_iterations(device, args.warmup, args.iters, fn)
    except RuntimeError as e:  # torch.cuda.OutOfMemoryError included
        row["status"] = "error: " + str(e).split("\n")[0]
        if device.type == "cuda":
            torch.cuda.empty_cache()
        return row
    total_s = sum(latencies) / 1e3
    row["iters_per_s"] = args.iters / total_s
    row["images_per_s"] = row["iters_per_s"] * row["batch"]
    row["latency_ms"] = {"mean": sum(latencies) / len(latencies), "p50": percentile(latencies, 50),
                         "p90": percentile(latencies, 90), "p99": percentile(latencies, 99)}
    row["peak_mem_mb"] = peak
    return row


def geometry(tiny):
    return dict(crop=64, stride=54, slide_h=64, slide_w=86) if tiny else dict(crop=512, stride=426, slide_h=512,
                                                                               slide_w=683)


def random_unit_text(classes, dim, device):
    t = torch.randn(classes, dim)
    return (t / t.norm(dim=-1, keepdim=True)).to(device)


def inference_rows(args, device, deadline):
    cfg, geo = zr.vision_config(args.tiny), geometry(args.tiny)
    torch.manual_seed(0)
    model = zr.ZegClipReference(cfg, args.prompt_tokens).eval().to(device)
    text = random_unit_text(args.classes, cfg["embed_dim"], device)
    rows = []
    for variant in args.variants:
        model.set_fused_attention(variant == "sdpa")
        for precision in args.precisions:
            for inp in args.inputs:
                for batch in args.batches:
                    slide = inp == "slide"
                    name = "slide%dx%d" % (geo["slide_h"], geo["slide_w"]) if slide else "whole%d" % geo["crop"]
                    row = new_row("inference", name, precision, batch, variant, args)
                    if time.time() > deadline:
                        row["status"] = "skipped: time budget"
                    else:
                        shape = (batch, 3, geo["slide_h"], geo["slide_w"]) if slide else (batch, 3, geo["crop"],
                                                                                           geo["crop"])
                        images = torch.randn(*shape).to(device)

                        def fn():
                            with autocast(device, precision == "bf16"):
                                if slide:
                                    zr.slide_logits(model, images, text, geo["crop"], geo["stride"])
                                else:
                                    model.logits(images, text)

                        with torch.inference_mode():
                            measure(row, device, args, fn)
                    log_row(row)
                    rows.append(row)
    return rows


def banded_labels(batch, size, classes):
    """Three classes per image in vertical bands, the top size/64 rows ignored (the C++ BandedLabels)."""
    x = torch.arange(size)
    band = x * 3 // size
    labels = torch.empty(batch, size, size, dtype=torch.long)
    for b in range(batch):
        labels[b] = ((b * 7 + band * 5) % classes).expand(size, size)
    labels[:, : size // 64, :] = 255
    return labels


def train_size(args):
    """The C++ TrainSize: --image_size, else 512 (tiny 64; quick 256)."""
    if args.image_size > 0:
        return args.image_size
    return 256 if args.quick and not args.tiny else geometry(args.tiny)["crop"]


def train_row(args, device, recipe, precision, batch, variant):
    tokens, classes = (10, args.voc_classes) if recipe == "voc" else (100, args.coco_classes)
    size = train_size(args)
    cfg = dict(zr.vision_config(args.tiny), resolution=size)  # the authors configure img_size = crop size
    row = new_row("train_step", "%s%d" % (recipe, size), precision, batch, variant, args)
    torch.manual_seed(0)
    model = zr.ZegClipReference(cfg, tokens).to(device).train()
    model.set_fused_attention(variant == "sdpa")
    optimizer = torch.optim.AdamW(model.freeze_like_the_authors(), lr=2e-4, weight_decay=0.01)
    text = random_unit_text(classes, cfg["embed_dim"], device)
    images = torch.randn(batch, 3, size, size).to(device)
    labels = banded_labels(batch, size, classes).to(device)

    phases = PhaseClock(device, args.breakdown)

    def step():
        phases.start_iteration()
        optimizer.zero_grad(set_to_none=True)
        with autocast(device, precision == "bf16"):
            logits = model.logits(images, text)
        phases.mark("forward")
        loss = zr.authors_style_loss(logits.float(), labels)  # the released loss is force_fp32
        phases.mark("loss")
        loss.backward()
        phases.mark("backward")
        optimizer.step()
        phases.mark("optimizer")

    measure(row, device, args, step)
    if args.breakdown and row["status"] == "ok":
        row["phases_ms"] = phases.mean_ms(args.iters)
    del model, optimizer
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return row


def train_rows(args, device, deadline):
    rows = []
    for variant in args.variants:
        for recipe in args.recipes:
            for precision in args.precisions:
                for batch in args.batches:
                    if time.time() > deadline:
                        row = new_row("train_step", "%s%d" % (recipe, train_size(args)), precision,
                                      batch, variant, args)
                        row["status"] = "skipped: time budget"
                    else:
                        row = train_row(args, device, recipe, precision, batch, variant)
                    log_row(row)
                    rows.append(row)
    return rows


def log_row(row):
    sys.stderr.write("[zegclip_reference] %s %s %s: %.3f img/s\n" % (row["key"], row["variant"], row["status"],
                                                                       row["images_per_s"]))


def print_table(report):
    print("\n%s: pytorch reference (torch %s, %s %s, %d threads, peak = %s)" % (
        report["benchmark"], report["torch_version"], report["device"], report["device_name"], report["threads"],
        report["mem_kind"]))
    print("%-32s %-9s %9s %8s %9s %9s %9s %9s" % ("row", "variant", "img/s", "it/s", "p50 ms", "p90 ms", "p99 ms",
                                                  "peak MB"))
    for r in report["rows"]:
        if r["status"] != "ok":
            print("%-32s %-9s %s" % (r["key"], r["variant"], r["status"]))
            continue
        lat = r["latency_ms"]
        print("%-32s %-9s %9.2f %8.3f %9.2f %9.2f %9.2f %9.0f" % (r["key"], r["variant"], r["images_per_s"],
                                                                  r["iters_per_s"], lat["p50"], lat["p90"],
                                                                  lat["p99"], r["peak_mem_mb"]))
        if "phases_ms" in r:
            print("  phases:" + "".join(" %s %.2f ms" % kv for kv in sorted(r["phases_ms"].items())))


def csv(kind):
    return lambda text: [kind(v) for v in text.split(",") if v.strip()]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--benchmark", choices=["inference", "train_step"], default="inference")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--batches", type=csv(int), default=None)
    p.add_argument("--precisions", type=csv(str), default=None)
    p.add_argument("--variants", type=csv(str), default=["authors", "sdpa"],
                   help="authors and/or sdpa (sdpa is dropped on PyTorch < 2.0)")
    p.add_argument("--inputs", type=csv(str), default=["whole", "slide"])
    p.add_argument("--recipes", type=csv(str), default=["voc", "coco"])
    p.add_argument("--iters", type=int, default=0)
    p.add_argument("--warmup", type=int, default=-1)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--classes", type=int, default=20)
    p.add_argument("--prompt_tokens", type=int, default=10)
    p.add_argument("--voc_classes", type=int, default=20)
    p.add_argument("--coco_classes", type=int, default=171)
    p.add_argument("--image_size", type=int, default=0, help="train_step crop (0: 512; tiny 64; quick 256)")
    p.add_argument("--breakdown", action="store_true", help="train_step: mean ms per forward/loss/backward/optimizer")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--tiny", action="store_true")
    p.add_argument("--json_out", default="")
    p.add_argument("--time_budget_s", type=float, default=0.0)
    args = p.parse_args(argv)
    if args.batches is None:
        args.batches = [1] if args.quick else ([1, 8, 16, 32] if args.benchmark == "inference" else [4])
    if args.precisions is None:
        args.precisions = ["fp32", "bf16"] if args.device == "cuda" else ["fp32"]
    args.iters = args.iters if args.iters > 0 else (2 if args.quick else 20)
    args.warmup = args.warmup if args.warmup >= 0 else (1 if args.quick else 3)
    for name, allowed in (("precisions", {"fp32", "bf16"}), ("variants", {"authors", "sdpa"}),
                          ("inputs", {"whole", "slide"}), ("recipes", {"voc", "coco"})):
        bad = [v for v in getattr(args, name) if v not in allowed]
        if bad:
            p.error("--%s: %s not in %s" % (name, ",".join(bad), ",".join(sorted(allowed))))
    if "sdpa" in args.variants and not zr.has_sdpa():
        sys.stderr.write("[zegclip_reference] torch %s has no scaled_dot_product_attention: sdpa rows skipped\n"
                         % torch.__version__)
        args.variants = [v for v in args.variants if v != "sdpa"]
    return args


def main(argv):
    args = parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("zegclip_reference: --device=cuda but torch %s sees no CUDA device" % torch.__version__)
    torch.set_num_threads(args.threads if args.threads > 0 else (os.cpu_count() or 1))
    device = torch.device("cuda", 0) if args.device == "cuda" else torch.device("cpu")
    deadline = time.time() + args.time_budget_s if args.time_budget_s > 0 else float("inf")
    rows = (inference_rows if args.benchmark == "inference" else train_rows)(args, device, deadline)
    report = {"schema": SCHEMA, "implementation": "pytorch", "benchmark": args.benchmark, "device": args.device,
              "device_name": torch.cuda.get_device_name(0) if args.device == "cuda" else
              "%d-core cpu" % (os.cpu_count() or 1),
              "torch_version": torch.__version__, "threads": torch.get_num_threads(),
              "mem_kind": "cuda_allocated_peak" if args.device == "cuda" else "process_rss_peak",
              "config": {"tiny": args.tiny, "quick": args.quick, "iters": args.iters, "warmup": args.warmup,
                         "classes": args.classes, "prompt_tokens": args.prompt_tokens,
                         "voc_classes": args.voc_classes, "coco_classes": args.coco_classes,
                         "image_size": train_size(args) if args.benchmark == "train_step" else 0},
              "rows": rows}
    print_table(report)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
