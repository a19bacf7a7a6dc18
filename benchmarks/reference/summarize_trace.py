#!/usr/bin/env python3
"""Where the GPU time of a profiled run goes, from its Chrome trace: kernel, memcpy and memset time per iteration,
grouped by the categories profile_reference.py uses (kernel_categories.py), the top kernels, and how busy the GPU was
between the first and last kernel. Reads the traces of inference_benchmark --trace_out (C++, Kineto) and of
torch.profiler's export_chrome_trace (profile_reference.py --trace_out) alike; --baseline_json puts a second summary
beside this one, category by category.

  python3 benchmarks/reference/summarize_trace.py ref_trace.json --iters=5 --label=reference --json_out=ref.json
  python3 benchmarks/reference/summarize_trace.py cpp_trace.json --label=C++ --baseline_json=ref.json

--iters defaults to the number of "ProfilerStep#N" annotations in the trace (the C++ trace marks its iterations so);
a trace without them needs --iters. Only device events count: a CPU op's duration would repeat its kernels' time.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_categories import category  # noqa: E402

# Chrome-trace categories of device activity (Kineto names; older exports capitalise them).
DEVICE_CATEGORIES = ("kernel", "gpu_memcpy", "gpu_memset")
STEP_PREFIX = "ProfilerStep#"


class TraceError(Exception):
    """A trace or summary that cannot be read; the message names the file."""


def load_events(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except OSError as e:
        raise TraceError(f"{path}: cannot read: {e.strerror}")
    except json.JSONDecodeError as e:
        raise TraceError(f"{path}: not JSON: {e}")
    events = data.get("traceEvents") if isinstance(data, dict) else data
    if not isinstance(events, list):
        raise TraceError(f"{path}: no traceEvents list (not a Chrome trace)")
    return events


def device_events(events):
    """Complete ("X") events of kernels, memcpys and memsets: (name, start_us, duration_us)."""
    out = []
    for e in events:
        if not isinstance(e, dict) or e.get("ph") != "X":
            continue
        if str(e.get("cat", "")).lower() not in DEVICE_CATEGORIES:
            continue
        out.append((str(e.get("name", "")), float(e.get("ts", 0.0)), float(e.get("dur", 0.0))))
    return out


def count_steps(events):
    """Distinct "ProfilerStep#N" annotations on the CPU side (GPU-side copies of them are not counted twice)."""
    return len({e.get("name") for e in events if isinstance(e, dict) and e.get("ph") == "X"
                and str(e.get("cat", "")).lower() == "user_annotation"
                and str(e.get("name", "")).startswith(STEP_PREFIX)})


def busy_us(intervals):
    """Length of the union of (start, duration) intervals: kernels on several streams may overlap."""
    total, end = 0.0, None
    for start, dur in sorted(intervals):
        stop = start + dur
        if end is None or start >= end:
            total += dur
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


def summarize(events, iters, top=25):
    kernels = device_events(events)
    if not kernels:
        raise TraceError("no GPU kernel, memcpy or memset events (a CPU-only trace?)")
    total = sum(d for _, _, d in kernels)
    by_category, by_name = {}, {}
    for name, _, dur in kernels:
        c = by_category.setdefault(category(name), [0.0, 0])
        c[0] += dur
        c[1] += 1
        k = by_name.setdefault(name, [0.0, 0])
        k[0] += dur
        k[1] += 1
    share = (lambda us: us / total) if total > 0 else (lambda us: 0.0)
    span = max(s + d for _, s, d in kernels) - min(s for _, s, _ in kernels)
    busy = busy_us([(s, d) for _, s, d in kernels])
    ranked = sorted(by_name.items(), key=lambda kv: (-kv[1][0], kv[0]))[:top]
    return {
        "iters": iters,
        "kernels": len(kernels),
        "device_ms_per_iter": total / 1e3 / iters,
        "span_ms_per_iter": span / 1e3 / iters,
        "busy_ms_per_iter": busy / 1e3 / iters,
        "idle_share": 1.0 - busy / span if span > 0 else 0.0,
        "categories": {name: {"ms_per_iter": us / 1e3 / iters, "share": share(us), "count": n,
                              "count_per_iter": n / iters}
                       for name, (us, n) in sorted(by_category.items(), key=lambda kv: (-kv[1][0], kv[0]))},
        "top_kernels": [{"name": name, "category": category(name), "ms_per_iter": us / 1e3 / iters,
                         "share": share(us), "count": n, "mean_us": us / n}
                        for name, (us, n) in ranked],
    }


def format_summary(s, label, name_width=110):
    lines = [f"== {label}: {s['device_ms_per_iter']:.3f} ms of GPU kernels per iteration ({s['iters']} iterations, "
             f"{s['kernels']} device events); first-to-last kernel {s['span_ms_per_iter']:.3f} ms/iter, GPU idle "
             f"{100 * s['idle_share']:.1f} % of it",
             f"  {'ms/iter':>9}  {'%':>6}  {'kernels/iter':>12}  category"]
    for name, c in s["categories"].items():
        lines.append(f"  {c['ms_per_iter']:9.3f}  {100 * c['share']:6.2f}  {c['count_per_iter']:12.1f}  {name}")
    lines.append(f"  top {len(s['top_kernels'])} kernels:")
    lines.append(f"  {'ms/iter':>9}  {'%':>6}  {'calls':>6}  {'mean us':>8}  kernel")
    for k in s["top_kernels"]:
        lines.append(f"  {k['ms_per_iter']:9.3f}  {100 * k['share']:6.2f}  {k['count']:6d}  {k['mean_us']:8.1f}  "
                     f"{k['name'][:name_width]}")
    return "\n".join(lines)


def format_comparison(ours, base, label, base_label):
    """Category by category, ms per iteration: this summary, the baseline, the difference and the ratio."""
    names = list(base["categories"])
    names += [n for n in ours["categories"] if n not in names]
    head = f"  {label[:12]:>12}  {base_label[:12]:>12}  {'diff':>8}  {'ratio':>6}  ms per iteration"
    lines = [f"== {label} vs {base_label}, GPU time by category", head]

    def row(a, b, name):
        ratio = f"{a / b:6.2f}" if b > 0 else f"{'-':>6}"
        diff = a - b if abs(a - b) >= 5e-4 else 0.0  # no "-0.000" from rounding noise
        return f"  {a:12.3f}  {b:12.3f}  {diff:+8.3f}  {ratio}  {name}"

    for n in names:
        a = ours["categories"].get(n, {}).get("ms_per_iter", 0.0)
        b = base["categories"].get(n, {}).get("ms_per_iter", 0.0)
        lines.append(row(a, b, n))
    lines.append(row(ours["device_ms_per_iter"], base["device_ms_per_iter"], "all kernels"))
    lines.append(row(ours["span_ms_per_iter"], base["span_ms_per_iter"], "first-to-last kernel (incl. idle)"))
    return "\n".join(lines)


def load_summary(path):
    try:
        with open(path) as f:
            s = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise TraceError(f"{path}: cannot read the baseline summary: {e}")
    for field in ("categories", "device_ms_per_iter", "span_ms_per_iter"):
        if field not in s:
            raise TraceError(f"{path}: not a summarize_trace.py summary (no '{field}')")
    return s


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("trace", help="Chrome trace JSON")
    p.add_argument("--iters", type=int, default=0,
                   help="profiled iterations in the trace (default: its ProfilerStep#N annotations)")
    p.add_argument("--top", type=int, default=25, help="how many kernels to list")
    p.add_argument("--label", default="", help="name of this run in the tables (default: the file name)")
    p.add_argument("--json_out", default="", help="write the summary here")
    p.add_argument("--baseline_json", default="", help="a summary written by this script: compare against it")
    p.add_argument("--baseline_label", default="", help="its name in the table (default: its own label)")
    args = p.parse_args(argv)
    label = args.label or os.path.basename(args.trace)
    try:
        if args.iters < 0 or args.top <= 0:
            raise TraceError(f"--iters must be >= 0 and --top > 0 (got {args.iters}, {args.top})")
        events = load_events(args.trace)
        iters = args.iters or count_steps(events)
        if iters <= 0:
            raise TraceError(f"{args.trace}: no {STEP_PREFIX}N annotations: give --iters (iterations profiled)")
        try:
            summary = summarize(events, iters, args.top)
        except TraceError as e:
            raise TraceError(f"{args.trace}: {e}")
        baseline = load_summary(args.baseline_json) if args.baseline_json else None
    except TraceError as e:
        print(f"summarize_trace.py: {e}", file=sys.stderr)
        return 1
    summary.update({"trace": args.trace, "label": label})
    print(format_summary(summary, label))
    if baseline is not None:
        print()
        print(format_comparison(summary, baseline, label, args.baseline_label or baseline.get("label", "baseline")))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(summary, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
