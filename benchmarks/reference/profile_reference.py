#!/usr/bin/env python3
"""Where the time of ZegCLIP inference goes, on the GPU: the reference model (zegclip_reference_model.py) under
torch.profiler, device time grouped by what each kernel does, plus the encoder / head / upsample split timed with
synchronisation. The C++ model launches the same ATen kernels, so the kernel shares describe both; the phase split is
printed by the C++ side too (inference_benchmark --breakdown).

  python3 benchmarks/reference/profile_reference.py --device=cuda [--json_out=profile.json]
  python3 benchmarks/reference/profile_reference.py --device=cuda --trace_out=ref_trace.json   # + Chrome trace
  python3 benchmarks/reference/summarize_trace.py ref_trace.json --iters=5   # its kernels, by the same categories
  /usr/bin/python3 benchmarks/reference/profile_reference.py --tiny --device=cpu      # smoke run (CPU op times)
"""
import argparse
import contextlib
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zegclip_reference_model as zr  # noqa: E402
from kernel_categories import CATEGORIES, category  # noqa: E402,F401  (shared with summarize_trace.py)


def device_time_us(event, on_cuda):
    """Kernel time on CUDA, counted on the kernel events only: an ATen op's self device time repeats the time of the
    kernels it launched, so summing both would count each kernel twice. CPU: the op's self time."""
    if on_cuda:
        if getattr(event, "device_type", None) != torch.autograd.DeviceType.CUDA:
            return 0.0
        for attr in ("self_device_time_total", "self_cuda_time_total"):
            if hasattr(event, attr):
                return float(getattr(event, attr))
        return 0.0
    return float(event.self_cpu_time_total)


def autocast(device, bf16):
    if not bf16:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def phase_split(model, images, text, device, bf16, iters):
    """Mean ms of encoder / head / upsample, synchronising between them."""
    totals = {"encoder": 0.0, "head": 0.0, "upsample": 0.0}
    for _ in range(iters):
        with autocast(device, bf16):
            sync(device)
            t0 = time.perf_counter()
            patches, global_embedding = model.backbone(images)
            sync(device)
            t1 = time.perf_counter()
            masks = model.decode_head(patches, global_embedding, text)
            sync(device)
            t2 = time.perf_counter()
            if masks.shape[-2:] != images.shape[-2:]:
                masks = torch.nn.functional.interpolate(masks, size=images.shape[-2:], mode="bilinear",
                                                        align_corners=False)
            sync(device)
            t3 = time.perf_counter()
        totals["encoder"] += (t1 - t0) * 1e3 / iters
        totals["head"] += (t2 - t1) * 1e3 / iters
        totals["upsample"] += (t3 - t2) * 1e3 / iters
    return totals


def profile_case(model, device, cfg, batch, bf16, fused, iters, trace_path=""):
    """trace_path: also write the profiled iterations as a Chrome trace (needs PyTorch with Kineto)."""
    model.set_fused_attention(fused)
    images = torch.randn(batch, 3, cfg["resolution"], cfg["resolution"], device=device)
    text = torch.randn(20, cfg["embed_dim"], device=device)
    text = text / text.norm(dim=-1, keepdim=True)
    activities = [torch.profiler.ProfilerActivity.CPU]
    on_cuda = device.type == "cuda"
    if on_cuda:
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    with torch.inference_mode():
        for _ in range(3):  # warm-up: cuDNN / cuBLAS heuristics, allocator
            with autocast(device, bf16):
                model.logits(images, text)
        sync(device)
        phases = phase_split(model, images, text, device, bf16, iters)
        with torch.profiler.profile(activities=activities) as prof:
            for _ in range(iters):
                with autocast(device, bf16):
                    model.logits(images, text)
            sync(device)
    if trace_path:
        try:
            prof.export_chrome_trace(trace_path)
        except RuntimeError as e:  # Kineto-less builds (Debian's 1.13) cannot save a trace; main() reports it
            print(f"profile_reference.py: --trace_out={trace_path}: {str(e).splitlines()[0]}", file=sys.stderr)
    shares, top = {}, []
    for event in prof.key_averages():
        us = device_time_us(event, on_cuda)
        if us <= 0:
            continue
        shares[category(event.key)] = shares.get(category(event.key), 0.0) + us
        top.append((us, event.key))
    total = sum(shares.values()) or 1.0
    top.sort(reverse=True)
    return {
        "batch": batch, "precision": "bf16" if bf16 else "fp32", "variant": "sdpa" if fused else "authors",
        "device_ms_per_iter": total / 1e3 / iters,
        "phases_ms": phases,
        "categories": {k: {"ms_per_iter": v / 1e3 / iters, "share": v / total}
                       for k, v in sorted(shares.items(), key=lambda kv: -kv[1])},
        "top_kernels": [{"name": name[:90], "ms_per_iter": us / 1e3 / iters} for us, name in top[:12]],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default="cuda", choices=["cpu", "cuda"])
    p.add_argument("--tiny", action="store_true")
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--json_out", default="")
    p.add_argument("--trace_out", default="",
                   help="Chrome trace of the last case's profiled iterations (CUDA: SDPA bf16 batch 16)")
    args = p.parse_args()
    device = torch.device(args.device)
    cfg = zr.vision_config(args.tiny)
    torch.manual_seed(0)
    model = zr.ZegClipReference(cfg, 10).eval().to(device)
    # The two reference points: eager fp32 at batch 1, fused-SDPA bf16 at batch 16.
    cases = [(1, False, False)]
    if device.type == "cuda":
        cases.append((16, True, zr.has_sdpa()))
    if args.trace_out and os.path.exists(args.trace_out):
        os.remove(args.trace_out)  # a stale trace must not pass for this run's
    results = []
    for i, (batch, bf16, fused) in enumerate(cases):
        trace_path = args.trace_out if i == len(cases) - 1 else ""
        r = profile_case(model, device, cfg, batch, bf16, fused and zr.has_sdpa(), args.iters, trace_path)
        results.append(r)
        print(f"\n== {r['variant']} {r['precision']} batch {r['batch']}: {r['device_ms_per_iter']:.2f} ms of "
              f"{'device' if device.type == 'cuda' else 'CPU'} time per forward; phases (synchronised): "
              + ", ".join(f"{k} {v:.2f} ms" for k, v in r["phases_ms"].items()))
        for name, c in r["categories"].items():
            print(f"  {100 * c['share']:5.1f} %  {c['ms_per_iter']:8.3f} ms  {name}")
        print("  top kernels:")
        for k in r["top_kernels"][:8]:
            print(f"    {k['ms_per_iter']:8.3f} ms  {k['name']}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"torch_version": torch.__version__, "device": args.device,
                       "counting": "kernels" if device.type == "cuda" else "cpu_op_self_time",
                       "device_name": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
                       "cases": results}, f, indent=2)
    if args.trace_out and not os.path.isfile(args.trace_out):
        sys.exit(f"profile_reference.py: --trace_out={args.trace_out} was not written")


if __name__ == "__main__":
    main()
