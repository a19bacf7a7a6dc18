#!/usr/bin/python3
"""Builds report.md and report.html for one run directory (or a sweep table for several).

Usage: make_report.py RUN_DIR
       make_report.py --sweep SWEEP_DIR RUN_DIR...     (one table row per run)

Reads what `zegclip train` / `eval` / `pretrain-clip` leave in RUN_DIR: config.pbtxt, manifest.json, metrics.jsonl,
eval.json, examples/*.ppm|pgm. Plots with matplotlib (Agg, PNG). The HTML embeds its figures as data URIs, so it
opens offline as a single file; the Markdown links the PNGs in RUN_DIR/figures/.
"""
import base64
import html
import json
import os
import sys

try:
    import matplotlib
except ImportError:
    sys.exit(f"report: {sys.executable} lacks matplotlib (install it with: bash tools/setup.sh, or set ZEGCLIP_PYTHON)")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SEEN_COLOUR = "#3b75af"
UNSEEN_COLOUR = "#d9822b"


def read_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def read_jsonl(path):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"{path}: line {number}: not JSON ({e})")
    return rows


def plot_curves(rows, figures):
    """Loss curves (every numeric field but iter/lr/time) and the learning rate, against the iteration."""
    rows = [r for r in rows if "iter" in r]
    if not rows:
        return []
    iters = [r["iter"] for r in rows]
    keys = sorted({k for r in rows for k, v in r.items()
                   if isinstance(v, (int, float)) and k not in ("iter", "lr", "time", "epoch", "step_seconds")})
    out = []
    loss_keys = [k for k in keys if "loss" in k or k in ("focal", "dice", "ce")]
    if loss_keys:
        fig, ax = plt.subplots(figsize=(6, 3.2))
        for k in loss_keys:
            ax.plot(iters, [r.get(k, np.nan) for r in rows], label=k)
        ax.set_xlabel("iteration")
        ax.set_yscale("log")
        ax.legend(fontsize=8)
        ax.set_title("training losses")
        out.append(save(fig, figures, "losses.png"))
    if any("lr" in r for r in rows):
        fig, ax = plt.subplots(figsize=(6, 2.4))
        ax.plot(iters, [r.get("lr", np.nan) for r in rows])
        ax.set_xlabel("iteration")
        ax.set_title("learning rate")
        out.append(save(fig, figures, "lr.png"))
    return out


def plot_class_iou(result, figures):
    classes = result.get("classes", [])
    if not classes:
        return []
    names = [c["name"] for c in classes]
    ious = [c["iou"] if c["iou"] is not None else 0.0 for c in classes]
    colours = [SEEN_COLOUR if c["seen"] else UNSEEN_COLOUR for c in classes]
    fig, ax = plt.subplots(figsize=(max(6, 0.22 * len(names)), 3.6))
    ax.bar(range(len(names)), ious, color=colours)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=90, fontsize=7)
    ax.set_ylabel("IoU (%)")
    ax.set_ylim(0, 100)
    ax.set_title("per-class IoU (blue: seen, orange: unseen)")
    fig.tight_layout()
    return [save(fig, figures, "class_iou.png")]


def palette(n):
    cmap = plt.get_cmap("tab20", max(n, 1))
    colours = (np.array([cmap(i)[:3] for i in range(n)]) * 255).astype(np.uint8)
    return colours


def colourise(label, colours):
    out = np.zeros(label.shape + (3,), np.uint8)
    valid = label < len(colours)
    out[valid] = colours[label[valid]]
    return out


def plot_examples(run_dir, result, figures):
    folder = os.path.join(run_dir, "examples")
    if not os.path.isdir(folder):
        return []
    from PIL import Image  # a dependency of Debian's matplotlib

    stems = sorted({f.rsplit("_", 1)[0] for f in os.listdir(folder) if f.endswith("_image.ppm")})
    if not stems:
        return []
    colours = palette(len(result.get("classes", [])) if result else 256)
    fig, axes = plt.subplots(len(stems), 3, figsize=(6.6, 2.2 * len(stems)), squeeze=False)
    for row, stem in enumerate(stems):
        image = np.asarray(Image.open(os.path.join(folder, stem + "_image.ppm")))
        panels = [("image", image)]
        for kind in ("label", "pred"):
            path = os.path.join(folder, f"{stem}_{kind}.pgm")
            if os.path.exists(path):
                label = np.asarray(Image.open(path))
                overlay = image.copy()
                mask = label < len(colours)
                overlay[mask] = (0.35 * image[mask] + 0.65 * colourise(label, colours)[mask]).astype(np.uint8)
                panels.append(("truth" if kind == "label" else "prediction", overlay))
        for col, (title, picture) in enumerate(panels):
            axes[row][col].imshow(picture, interpolation="nearest")
            axes[row][col].set_title(title, fontsize=8)
        for ax in axes[row]:
            ax.axis("off")
    fig.tight_layout()
    return [save(fig, figures, "examples.png")]


def save(fig, figures, name):
    os.makedirs(figures, exist_ok=True)
    path = os.path.join(figures, name)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def fmt(value):
    return "—" if value is None else f"{value:.1f}"


def summary_rows(result):
    keys = [("pAcc", "pAcc"), ("mIoU", "mIoU"), ("mIoU_seen", "mIoU(S)"), ("mIoU_unseen", "mIoU(U)"), ("hIoU", "hIoU")]
    return [(label, fmt(result.get(key))) for key, label in keys if key in result]


def write_reports(run_dir, manifest, result, pretrain, figure_paths):
    title = f"zegclip run: {os.path.basename(os.path.abspath(run_dir))}"
    md = [f"# {title}", ""]
    if result:
        md += ["| " + " | ".join(k for k, _ in summary_rows(result)) + " |",
               "|" + "---|" * len(summary_rows(result)),
               "| " + " | ".join(v for _, v in summary_rows(result)) + " |", ""]
    if pretrain:
        md += ["## CLIP pre-training", ""] + [f"- {k}: {v}" for k, v in pretrain.items()] + [""]
    if manifest:
        md += ["## Provenance", ""] + [f"- {k}: {manifest[k]}" for k in
                                       ("git_commit", "git_dirty", "command", "hostname", "world_size", "backend",
                                        "seed", "start_time", "wall_seconds") if k in manifest]
        md += [f"- {k}: {v}" for k, v in manifest.get("versions", {}).items()] + [""]
    md += [f"![{os.path.basename(p)}](figures/{os.path.basename(p)})" for p in figure_paths]
    with open(os.path.join(run_dir, "report.md"), "w") as f:
        f.write("\n".join(md) + "\n")

    body = [f"<h1>{html.escape(title)}</h1>"]
    if result:
        body.append("<table><tr>" + "".join(f"<th>{k}</th>" for k, _ in summary_rows(result)) + "</tr><tr>" +
                    "".join(f"<td>{v}</td>" for _, v in summary_rows(result)) + "</tr></table>")
    if pretrain:
        body.append("<h2>CLIP pre-training</h2><ul>" +
                    "".join(f"<li>{html.escape(str(k))}: {html.escape(str(v))}</li>" for k, v in pretrain.items()) +
                    "</ul>")
    for path in figure_paths:
        with open(path, "rb") as f:
            data = base64.b64encode(f.read()).decode()
        body.append(f'<p><img alt="{os.path.basename(path)}" src="data:image/png;base64,{data}"></p>')
    if manifest:
        body.append("<h2>Provenance</h2><pre>" + html.escape(json.dumps(manifest, indent=2)) + "</pre>")
    style = "body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{border:1px solid #ccc;padding:4px 10px}"
    with open(os.path.join(run_dir, "report.html"), "w") as f:
        f.write(f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def run_report(run_dir):
    if not os.path.isdir(run_dir):
        sys.exit(f"{run_dir}: not a run directory")
    manifest = read_json(os.path.join(run_dir, "manifest.json"))
    result = read_json(os.path.join(run_dir, "eval.json"))
    pretrain = read_json(os.path.join(run_dir, "pretrain.json"))
    figures = os.path.join(run_dir, "figures")
    paths = plot_curves(read_jsonl(os.path.join(run_dir, "metrics.jsonl")), figures)
    if result:
        paths += plot_class_iou(result, figures)
    paths += plot_examples(run_dir, result, figures)
    write_reports(run_dir, manifest, result, pretrain, paths)
    print(os.path.join(run_dir, "report.html"))


def sweep_report(sweep_dir, run_dirs):
    """One row per run: the varied fields (from sweep.json in each run, if any) and the headline numbers."""
    rows = []
    for run in run_dirs:
        result = read_json(os.path.join(run, "eval.json")) or {}
        axes = read_json(os.path.join(run, "sweep_point.json")) or {}
        rows.append((os.path.basename(run), axes, result))
    axis_names = sorted({k for _, axes, _ in rows for k in axes})
    header = ["run"] + axis_names + ["pAcc", "mIoU(S)", "mIoU(U)", "hIoU"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, axes, r in rows:
        cells = [name] + [str(axes.get(a, "")) for a in axis_names] + \
                [fmt(r.get(k)) for k in ("pAcc", "mIoU_seen", "mIoU_unseen", "hIoU")]
        lines.append("| " + " | ".join(cells) + " |")
    os.makedirs(sweep_dir, exist_ok=True)
    with open(os.path.join(sweep_dir, "sweep.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    table = "".join("<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in l.strip("|").split("|")) + "</tr>"
                    for l in lines if not l.startswith("|---"))
    with open(os.path.join(sweep_dir, "sweep.html"), "w") as f:
        f.write(f"<!doctype html><html><head><meta charset='utf-8'><title>sweep</title></head><body>"
                f"<table border=1 cellpadding=4>{table}</table></body></html>\n")
    print(os.path.join(sweep_dir, "sweep.md"))


def main(argv):
    if len(argv) >= 3 and argv[1] == "--sweep":
        sweep_report(argv[2], argv[3:])
    elif len(argv) == 2:
        run_report(argv[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
