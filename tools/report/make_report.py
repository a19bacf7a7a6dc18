#!/usr/bin/python3
"""Builds report.md and report.html for one run directory (or a sweep table for several).

Usage: make_report.py RUN_DIR
       make_report.py --sweep SWEEP_DIR RUN_DIR...     (sweep.md/.html/.json: one row per point, seeds folded
                                                        into mean ± std, links to each run's report)

Reads what `zegclip train` / `eval` / `pretrain-clip` leave in RUN_DIR: config.pbtxt, manifest.json, metrics.jsonl,
eval.json and pretrain.json (their schema and C++ writer: zegclip/report/eval_record.h, pretrain_record.h; the
golden files zegclip/report/testdata/*_record_golden.json are read by both sides' tests), examples/*.ppm|pgm.
Plots with matplotlib (Agg, PNG). The HTML embeds its figures as data URIs, so it
opens offline as a single file; the Markdown links the PNGs in RUN_DIR/figures/. The run's `report { html: false }`
(config.pbtxt) leaves the HTML out.

Any failure (an unreadable, truncated or malformed input, a full disk, a read-only folder) is one line on stderr,
"error: <file>: <what>", and exit status 1: the zegclip binary passes that line on as its own error.
"""
import base64
import html
import json
import os
import sys

try:
    import matplotlib
except ImportError:
    sys.exit(f"error: {sys.executable}: lacks matplotlib (install it with: bash tools/setup.sh, or set ZEGCLIP_PYTHON)")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import numpy as np  # noqa: E402

SEEN_COLOUR = "#3b75af"
UNSEEN_COLOUR = "#d9822b"


class ReportError(Exception):
    """A failure that names its file: printed as the one line "error: <path>: <what>"."""

    def __init__(self, path, what):
        super().__init__(f"{path}: {what}")
        self.path, self.what = path, what


def os_reason(error):
    """"permission denied" from a PermissionError: strerror in lower case, as the C++ side words it."""
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]


def read_text(path, missing_ok=True):
    """The file's text; None when it does not exist (and missing_ok). Other failures name the file."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        if missing_ok:
            return None
        raise ReportError(path, "missing")
    except UnicodeDecodeError as e:
        raise ReportError(path, f"not UTF-8 text ({e.reason} at byte {e.start})")
    except OSError as e:
        raise ReportError(path, os_reason(e))


def write_text(path, text):
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise ReportError(path, f"cannot write: {os_reason(e)}")


def parse_json(path, text, where=""):
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        if not text.strip():
            raise ReportError(path, f"{where}empty, not JSON")
        raise ReportError(path, f"{where}not JSON ({e.msg} at line {e.lineno}, column {e.colno}; truncated?)")


def read_json(path):
    """A JSON object from `path`, or None when the file does not exist."""
    text = read_text(path)
    if text is None:
        return None
    value = parse_json(path, text)
    if not isinstance(value, dict):
        raise ReportError(path, f"expected a JSON object, found {type(value).__name__}")
    return value


def read_jsonl(path):
    rows = []
    text = read_text(path)
    if text is None:
        return rows
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        row = parse_json(path, line, f"line {number}: ")
        if not isinstance(row, dict):
            raise ReportError(path, f"line {number}: expected a JSON object, found {type(row).__name__}")
        if "iter" in row and not is_number(row["iter"]):
            raise ReportError(path, f"line {number}: 'iter' is {row['iter']!r}, expected a number")
        rows.append(row)
    return rows


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


SUMMARY_KEYS = ("pAcc", "mAcc", "mIoU", "mIoU_seen", "mIoU_unseen", "hIoU")


def check_eval(path, result):
    """eval.json as `zegclip train` / `eval` write it: headline numbers (or null) and a list of classes."""
    if result is None:
        return None
    for key in SUMMARY_KEYS:
        if key in result and result[key] is not None and not is_number(result[key]):
            raise ReportError(path, f"'{key}' is {result[key]!r}, expected a number or null")
    classes = result.get("classes", [])
    if not isinstance(classes, list):
        raise ReportError(path, f"'classes' is {type(classes).__name__}, expected a list")
    for k, c in enumerate(classes):
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            raise ReportError(path, f"classes[{k}] is not an object with a 'name'")
        if c.get("iou") is not None and not is_number(c["iou"]):
            raise ReportError(path, f"classes[{k}].iou is {c['iou']!r}, expected a number or null")
    return result


def by_iteration(rows):
    """One row per iteration, the last one logged (a resumed run logs the iterations it redoes again), sorted."""
    latest = {}
    for r in rows:
        latest[r["iter"]] = r
    return [latest[i] for i in sorted(latest)]


def mark_resumes(ax, resumes):
    """Dotted lines where a resumed run continued; iterations as integer ticks (a 2-step run has no 2.025)."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for i, it in enumerate(resumes):
        ax.axvline(it, color="#888888", linestyle=":", linewidth=1, label="resumed" if i == 0 else None)


def plot_curves(rows, figures):
    """Loss curves (every numeric field with 'loss' in its name), the learning rate, and the periodic validation
    metrics (val_*), against the iteration. Rows without a mode (pre-training) count as training rows."""
    train = by_iteration([r for r in rows if "iter" in r and r.get("mode", "train") == "train"])
    evals = by_iteration([r for r in rows if "iter" in r and r.get("mode") == "eval"])
    resumes = sorted({r["iter"] for r in rows if r.get("mode") == "resume" and "iter" in r})
    out = []
    iters = [r["iter"] for r in train]
    keys = sorted({k for r in train for k, v in r.items()
                   if isinstance(v, (int, float)) and k not in ("iter", "lr", "time", "epoch", "step_seconds")})
    loss_keys = [k for k in keys if "loss" in k or k in ("focal", "dice", "ce")]
    if loss_keys:
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
        for k in loss_keys:
            ax.plot(iters, [r.get(k, np.nan) for r in train], label=k, marker="." if len(iters) < 30 else None)
        mark_resumes(ax, resumes)
        ax.set_xlabel("iteration")
        if all(r.get(k, 1) > 0 for r in train for k in loss_keys):
            ax.set_yscale("log")
        ax.legend(fontsize=8)
        ax.set_title("training losses")
        out.append(save(fig, figures, "losses.png"))
    if any("lr" in r for r in train):
        fig, ax = plt.subplots(figsize=(6.4, 2.6))
        ax.plot(iters, [r.get("lr", np.nan) for r in train], marker="." if len(iters) < 30 else None)
        mark_resumes(ax, resumes)
        ax.set_xlabel("iteration")
        ax.set_title("learning rate")
        out.append(save(fig, figures, "lr.png"))
    val_keys = sorted({k for r in evals for k, v in r.items() if k.startswith("val_") and isinstance(v, (int, float))})
    if val_keys:
        fig, ax = plt.subplots(figsize=(6.4, 2.8))
        for k in val_keys:
            ax.plot([r["iter"] for r in evals], [r.get(k, np.nan) for r in evals], label=k[4:], marker="o")
        mark_resumes(ax, resumes)
        ax.set_xlabel("iteration")
        ax.set_ylabel("%")
        ax.legend(fontsize=8)
        ax.set_title("validation during training")
        out.append(save(fig, figures, "validation.png"))
    return out


CLASSES_PER_ROW = 60


def plot_class_iou(result, figures):
    """Bars coloured seen / unseen, 60 classes per row (COCO-Stuff's 171 take three). A class absent from the
    ground truth has no IoU (null in eval.json, left out of every mean): marked n/a in grey, not drawn as 0."""
    classes = result.get("classes", [])
    if not classes:
        return []
    rows = (len(classes) + CLASSES_PER_ROW - 1) // CLASSES_PER_ROW
    per_row = min(len(classes), CLASSES_PER_ROW)
    fig, axes = plt.subplots(rows, 1, figsize=(max(6.4, 0.2 * per_row), 3.4 * rows), squeeze=False)
    for row in range(rows):
        ax = axes[row][0]
        part = classes[row * CLASSES_PER_ROW:(row + 1) * CLASSES_PER_ROW]
        ious = [c["iou"] if c.get("iou") is not None else 0.0 for c in part]
        colours = [SEEN_COLOUR if c.get("seen", True) else UNSEEN_COLOUR for c in part]
        ax.bar(range(len(part)), ious, color=colours)
        ax.set_xticks(range(len(part)))
        ax.set_xticklabels([c["name"] for c in part], rotation=90, fontsize=7)
        for x, c in enumerate(part):
            if c.get("iou") is None:
                ax.get_xticklabels()[x].set_color("#999999")
                ax.text(x, 2, "n/a", rotation=90, ha="center", va="bottom", fontsize=6, color="#999999")
        ax.set_xlim(-0.6, per_row - 0.4)
        ax.set_ylabel("IoU (%)")
        ax.set_ylim(0, 100)
        if row == 0:
            ax.set_title("per-class IoU")
            ax.legend(handles=[Patch(color=SEEN_COLOUR, label="seen"), Patch(color=UNSEEN_COLOUR, label="unseen")],
                      fontsize=8, loc="upper right")
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

    def load(path):
        try:
            with Image.open(path) as picture:
                return np.asarray(picture)
        except OSError as e:  # PIL's UnidentifiedImageError and truncated files are OSErrors too
            raise ReportError(path, f"not a readable image ({os_reason(e)})")

    try:
        names = os.listdir(folder)
    except OSError as e:
        raise ReportError(folder, os_reason(e))
    stems = sorted({f.rsplit("_", 1)[0] for f in names if f.endswith("_image.ppm")})
    if not stems:
        return []
    colours = palette(len(result.get("classes", [])) if result else 256)
    fig, axes = plt.subplots(len(stems), 3, figsize=(6.6, 2.2 * len(stems)), squeeze=False)
    for row, stem in enumerate(stems):
        image = load(os.path.join(folder, stem + "_image.ppm"))
        if image.ndim != 3:
            raise ReportError(os.path.join(folder, stem + "_image.ppm"), "expected an RGB image")
        panels = [("image", image)]
        for kind in ("label", "pred"):
            path = os.path.join(folder, f"{stem}_{kind}.pgm")
            if os.path.exists(path):
                label = load(path)
                if label.shape != image.shape[:2]:
                    raise ReportError(path, f"{label.shape[1]}x{label.shape[0]}, but the image is "
                                            f"{image.shape[1]}x{image.shape[0]}")
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
    path = os.path.join(figures, name)
    try:
        os.makedirs(figures, exist_ok=True)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
    except OSError as e:
        raise ReportError(e.filename or path, f"cannot write: {os_reason(e)}")
    finally:
        plt.close(fig)
    return path


def fmt(value):
    return "—" if value is None else f"{value:.1f}"


def summary_rows(result):
    keys = [("pAcc", "pAcc"), ("mIoU", "mIoU"), ("mIoU_seen", "mIoU(S)"), ("mIoU_unseen", "mIoU(U)"), ("hIoU", "hIoU")]
    return [(label, fmt(result.get(key))) for key, label in keys if key in result]


def calibration_rows(result, prefix="hIoU_at_offset_"):
    """(offset, hIoU) per eval.offset_candidates entry, the <prefix><x> keys (numbers; strings in files written before
    zegclip/report/eval_record.h): hIoU_at_offset_ on the validation split itself (for reference),
    calibration_hIoU_at_offset_ on the held-out calibration split."""
    rows = []
    for key, value in result.items():
        if key.startswith(prefix):
            try:
                rows.append((float(key[len(prefix):]), float(value)))
            except (TypeError, ValueError):
                continue
    return sorted(rows)


def held_out_calibration(result):
    """The seen-score offset chosen on eval.calibration_split, or None: {split, images, offset, rows}."""
    if "calibration_split" not in result or "calibration_chosen_offset" not in result:
        return None
    try:
        offset = float(result["calibration_chosen_offset"])
    except (TypeError, ValueError):
        return None
    return {"split": result["calibration_split"], "images": result.get("calibration_images", "?"), "offset": offset,
            "rows": calibration_rows(result, "calibration_hIoU_at_offset_")}


def calibration_lines(result):
    """Markdown lines on how the seen-score offset was chosen (empty when eval.json says nothing about it)."""
    lines, held_out = [], held_out_calibration(result)
    if held_out:
        lines += [f"Seen-score offset {held_out['offset']:g}, chosen on the held-out split '{held_out['split']}' "
                  f"({held_out['images']} images) and used for the metrics above; hIoU there by offset: " +
                  ", ".join(f"{o:g}: {h:.1f}" for o, h in held_out["rows"]), ""]
    if calibration_rows(result):
        lines += ["Seen-score calibration (hIoU by offset): " +
                  ", ".join(f"{o:g}: {h:.1f}" for o, h in calibration_rows(result)) +
                  " (measured on the validation split itself, for reference only)", ""]
    return lines


def calibration_html(result):
    """The calibration table: hIoU by offset on the held-out split (when used) and on val (reference)."""
    held_out, on_val = held_out_calibration(result), dict(calibration_rows(result))
    if not held_out and not on_val:
        return ""
    there = dict(held_out["rows"]) if held_out else {}
    header = ["seen-score offset"] + ([f"hIoU on {held_out['split']}"] if held_out else []) + \
             (["hIoU on val (reference only)"] if on_val else [])
    rows = [[f"{o:g}"] + ([f"{there[o]:.1f}" if o in there else "—"] if held_out else []) +
            ([f"{on_val[o]:.1f}" if o in on_val else "—"] if on_val else []) for o in sorted(set(there) | set(on_val))]
    note = (f"Offset {held_out['offset']:g} was chosen on the held-out split '{held_out['split']}' "
            f"({held_out['images']} images) and used for the metrics above." if held_out else
            "Measured on the validation split itself, for reference only.")
    return ("<h3>Seen-score calibration</h3>" + html_table(header, rows) +
            f"<p class='note'>{html.escape(note)}</p>")


def experiment_name(config_text):
    """(name, description) from config.pbtxt's top-level fields, or empty strings."""
    found = {"name": "", "description": ""}
    for line in (config_text or "").splitlines():
        for key in found:
            if line.startswith(f"{key}: \"") and not found[key]:
                found[key] = line[len(key) + 3:].rstrip().rstrip('"')
    return found["name"], found["description"]


def html_wanted(config_text):
    """The run's report.html field: false in the resolved config's top-level `report { ... }` block turns the HTML
    report off; true, or no config, keeps it."""
    in_report = False
    for line in (config_text or "").splitlines():
        if not line.startswith(" "):
            in_report = line.strip() == "report {"
        elif in_report and line.strip().replace(" ", "") == "html:false":
            return False
    return True


FIGURE_SECTIONS = [("Training", ("losses.png", "lr.png", "validation.png")), ("Per-class IoU", ("class_iou.png",)),
                   ("Examples", ("examples.png",))]
EXAMPLES_NOTE = ("Each row: a validation image, the ground truth and the prediction overlaid in the same class "
                 "colours; pixels left as in the image are ignored (255) in the truth.")
PROVENANCE_KEYS = ("git_commit", "git_dirty", "command", "hostname", "world_size", "backend", "seed", "start_time",
                   "wall_seconds")


def figure_sections(figure_paths):
    """[(section title, [paths])] in FIGURE_SECTIONS order; unknown figures go last under 'Figures'."""
    names = {os.path.basename(p): p for p in figure_paths}
    sections, used = [], set()
    for title, files in FIGURE_SECTIONS:
        paths = [names[f] for f in files if f in names]
        used.update(os.path.basename(p) for p in paths)
        if paths:
            sections.append((title, paths))
    rest = [p for p in figure_paths if os.path.basename(p) not in used]
    return sections + ([("Figures", rest)] if rest else [])


def write_markdown(run_dir, title, description, manifest, result, pretrain, figure_paths, config_text):
    md = [f"# {title}", ""] + ([description, ""] if description else [])
    if result:
        rows = summary_rows(result)
        md += ["| " + " | ".join(k for k, _ in rows) + " |", "|" + "---|" * len(rows),
               "| " + " | ".join(v for _, v in rows) + " |", ""]
        if "images" in result:
            md += [f"{result['images']} validation images; metrics in percent.", ""]
        md += calibration_lines(result)
    if pretrain:
        md += ["## CLIP pre-training", ""] + [f"- {k}: {v}" for k, v in pretrain.items()] + [""]
    for section, paths in figure_sections(figure_paths):
        md += [f"## {section}", ""] + [f"![{os.path.basename(p)}](figures/{os.path.basename(p)})" for p in paths]
        md += ["", EXAMPLES_NOTE, ""] if section == "Examples" else [""]
    if manifest:
        md += ["## Provenance", ""] + [f"- {k}: {manifest[k]}" for k in PROVENANCE_KEYS if k in manifest]
        md += [f"- {k}: {v}" for k, v in manifest.get("versions", {}).items()] + [""]
    if config_text is not None:
        md += ["The resolved experiment: [config.pbtxt](config.pbtxt).", ""]
    write_text(os.path.join(run_dir, "report.md"), "\n".join(md) + "\n")


def html_table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def html_figure(path):
    try:
        with open(path, "rb") as f:
            data = base64.b64encode(f.read()).decode()
    except OSError as e:
        raise ReportError(path, os_reason(e))
    return f'<p><img alt="{os.path.basename(path)}" src="data:image/png;base64,{data}"></p>'


HTML_STYLE = ("body{font-family:sans-serif;max-width:62em;margin:2em auto;padding:0 1em}"
              "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:4px 10px}"
              "th{background:#f3f3f3}img{max-width:100%}pre{white-space:pre-wrap;word-break:break-all;"
              "background:#f7f7f7;padding:.6em;font-size:85%}.note{color:#555;font-size:90%}")


def write_html(run_dir, title, description, manifest, result, pretrain, figure_paths, config_text):
    body = [f"<h1>{html.escape(title)}</h1>"] + ([f"<p>{html.escape(description)}</p>"] if description else [])
    if result:
        rows = summary_rows(result)
        body.append(html_table([k for k, _ in rows], [[v for _, v in rows]]))
        if "images" in result:
            body.append(f"<p class='note'>{html.escape(str(result['images']))} validation images; metrics in "
                        f"percent.</p>")
        if calibration_html(result):
            body.append(calibration_html(result))
    if pretrain:
        body.append("<h2>CLIP pre-training</h2>" + html_table(["", ""], [[k, v] for k, v in pretrain.items()]))
    for section, paths in figure_sections(figure_paths):
        body.append(f"<h2>{html.escape(section)}</h2>" + "".join(html_figure(p) for p in paths))
        if section == "Examples":
            body.append(f"<p class='note'>{html.escape(EXAMPLES_NOTE)}</p>")
    if manifest:
        body.append("<h2>Provenance</h2><pre>" + html.escape(json.dumps(manifest, indent=2)) + "</pre>")
    if config_text is not None:
        body.append("<details><summary>Resolved experiment (config.pbtxt)</summary><pre>" +
                    html.escape(config_text) + "</pre></details>")
    write_text(os.path.join(run_dir, "report.html"),
               f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
               f"<style>{HTML_STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def write_reports(run_dir, manifest, result, pretrain, figure_paths, config_text):
    """report.md, and report.html unless the run's config says `report { html: false }` (a stale one is removed,
    so the folder never holds an HTML report older than its Markdown). Returns the main report's path."""
    name, description = experiment_name(config_text)
    title = f"zegclip run: {os.path.basename(os.path.abspath(run_dir))}" + (f" ({name})" if name else "")
    write_markdown(run_dir, title, description, manifest, result, pretrain, figure_paths, config_text)
    html_path = os.path.join(run_dir, "report.html")
    if html_wanted(config_text):
        write_html(run_dir, title, description, manifest, result, pretrain, figure_paths, config_text)
        return html_path
    try:
        os.remove(html_path)
    except FileNotFoundError:
        pass
    except OSError as e:
        raise ReportError(html_path, f"cannot remove the stale HTML report: {os_reason(e)}")
    return os.path.join(run_dir, "report.md")


def run_report(run_dir):
    if not os.path.isdir(run_dir):
        raise ReportError(run_dir, "not a run directory")
    manifest = read_json(os.path.join(run_dir, "manifest.json"))
    eval_path = os.path.join(run_dir, "eval.json")
    result = check_eval(eval_path, read_json(eval_path))
    pretrain = read_json(os.path.join(run_dir, "pretrain.json"))
    config_text = read_text(os.path.join(run_dir, "config.pbtxt"))
    figures = os.path.join(run_dir, "figures")
    paths = plot_curves(read_jsonl(os.path.join(run_dir, "metrics.jsonl")), figures)
    if result:
        paths += plot_class_iou(result, figures)
    paths += plot_examples(run_dir, result, figures)
    print(write_reports(run_dir, manifest, result, pretrain, paths, config_text))


SWEEP_METRICS = [("pAcc", "pAcc"), ("mIoU_seen", "mIoU(S)"), ("mIoU_unseen", "mIoU(U)"), ("hIoU", "hIoU")]


def mean_std(values):
    """(mean, sample standard deviation with n - 1; 0.0 for one value) of a non-empty list."""
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5


def finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and \
        abs(value) != float("inf")


def sweep_groups(run_dirs):
    """The sweep's points with their seeds folded together: one group per combination of the non-seed axes, in the
    order the runs are given. Each run: its folder, its axis values (sweep_point.json) and eval.json (None while
    the run is unfinished)."""
    groups = {}
    for run in run_dirs:
        axes = read_json(os.path.join(run, "sweep_point.json")) or {}
        varied = {k: v for k, v in axes.items() if k != "seed"}
        key = json.dumps(varied, sort_keys=True)
        name = os.path.basename(os.path.normpath(run))
        if "seed" in axes:  # the seed is the point name's last part ("loss=EL__seed=1")
            name = name.rsplit("__seed=", 1)[0] if "__seed=" in name else name
        group = groups.setdefault(key, {"name": name, "axes": varied, "runs": []})
        eval_path = os.path.join(run, "eval.json")
        group["runs"].append({"dir": run, "seed": axes.get("seed"),
                              "result": check_eval(eval_path, read_json(eval_path))})
    for group in groups.values():
        group["metrics"] = {}
        for key, _ in SWEEP_METRICS:
            values = [r["result"][key] for r in group["runs"] if r["result"] and finite(r["result"].get(key))]
            if values:
                mean, std = mean_std(values)
                group["metrics"][key] = {"mean": mean, "std": std, "n": len(values), "values": values}
    return list(groups.values())


def metric_cell(stats, with_std):
    if stats is None:
        return "—"
    if not with_std or stats["n"] == 1:  # one seed has no spread to show
        return f"{stats['mean']:.1f}"
    return f"{stats['mean']:.1f} ± {stats['std']:.1f}"


def run_label(run):
    return "report" if run["seed"] is None else f"seed={run['seed']}"


def sweep_table(sweep_dir, groups):
    """(header, rows); a row is a list of cells, the last one the list of (label, relative report path or None)."""
    axis_names = []
    for group in groups:
        axis_names += [a for a in group["axes"] if a not in axis_names]
    seeded = any(r["seed"] is not None for g in groups for r in g["runs"])
    header = ["run"] + axis_names + (["seeds"] if seeded else []) + [label for _, label in SWEEP_METRICS] + ["report"]
    rows = []
    for group in groups:
        done = [r for r in group["runs"] if r["result"] is not None]
        cells = [group["name"]] + [str(group["axes"].get(a, "")) for a in axis_names]
        if seeded:
            cells.append(str(len(done)) if len(done) == len(group["runs"]) else
                         f"{len(done)} of {len(group['runs'])}")
        cells += [metric_cell(group["metrics"].get(key), seeded) for key, _ in SWEEP_METRICS]
        links = []
        for run in group["runs"]:
            report = os.path.join(run["dir"], "report.html")
            if not os.path.exists(report):  # a run with report { html: false } has the Markdown only
                report = os.path.join(run["dir"], "report.md")
            has_report = os.path.exists(report)
            state = "" if run["result"] and has_report else " (no report)" if run["result"] else " (unfinished)"
            links.append((run_label(run) + state, os.path.relpath(report, sweep_dir) if has_report else None))
        rows.append(cells + [links])
    return header, rows


def write_sweep_md(sweep_dir, header, rows, seeded):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        links = " ".join(f"[{label}]({path})" if path else label for label, path in row[-1])
        lines.append("| " + " | ".join(row[:-1] + [links]) + " |")
    if seeded:
        lines += ["", "Metrics in percent: mean ± standard deviation over the finished seeds (sample, n − 1)."]
    write_text(os.path.join(sweep_dir, "sweep.md"), "\n".join(lines) + "\n")


def write_sweep_html(sweep_dir, header, rows, seeded):
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = [f"<tr>{cells}</tr>"]
    for row in rows:
        links = " ".join(f'<a href="{html.escape(path)}">{html.escape(label)}</a>' if path else html.escape(label)
                         for label, path in row[-1])
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row[:-1]) + f"<td>{links}</td></tr>")
    note = ("<p>Metrics in percent: mean ± standard deviation over the finished seeds (sample, n − 1).</p>"
            if seeded else "<p>Metrics in percent.</p>")
    title = f"zegclip sweep: {os.path.basename(os.path.abspath(sweep_dir))}"
    style = ("body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:4px 10px}th{background:#f3f3f3}")
    write_text(os.path.join(sweep_dir, "sweep.html"),
               f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
               f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1><table>{''.join(body)}</table>"
               f"{note}</body></html>\n")


def sweep_report(sweep_dir, run_dirs):
    """sweep.md, sweep.html and sweep.json: one row per point (seeds folded into mean ± std), links to reports."""
    groups = sweep_groups(run_dirs)
    header, rows = sweep_table(sweep_dir, groups)
    seeded = "seeds" in header
    try:
        os.makedirs(sweep_dir, exist_ok=True)
    except OSError as e:
        raise ReportError(sweep_dir, f"cannot create: {os_reason(e)}")
    write_sweep_md(sweep_dir, header, rows, seeded)
    write_sweep_html(sweep_dir, header, rows, seeded)
    summary = [{"name": g["name"], "axes": g["axes"], "metrics": g["metrics"],
                "runs": [{"dir": r["dir"], "seed": r["seed"], "finished": r["result"] is not None}
                         for r in g["runs"]]} for g in groups]
    write_text(os.path.join(sweep_dir, "sweep.json"),
               json.dumps({"std": "sample (n - 1)", "points": summary}, indent=2) + "\n")
    print(os.path.join(sweep_dir, "sweep.md"))


def first_line(text):
    return (str(text).strip().splitlines() or [""])[0]


def main(argv):
    """Exit status 0, or 1 with one line "error: <file>: <what>" on stderr, whatever went wrong."""
    target = argv[2] if len(argv) >= 3 else argv[1] if len(argv) == 2 else ""
    try:
        if len(argv) >= 3 and argv[1] == "--sweep":
            sweep_report(argv[2], argv[3:])
        elif len(argv) == 2:
            run_report(argv[1])
        else:
            raise ReportError("make_report.py", "usage: make_report.py RUN_DIR | --sweep SWEEP_DIR RUN_DIR...")
    except ReportError as e:
        print(f"error: {e.path}: {first_line(e.what)}", file=sys.stderr)
        return 1
    except OSError as e:  # a failure no check above foresaw, still named by its file
        print(f"error: {e.filename or target}: {first_line(os_reason(e))}", file=sys.stderr)
        return 1
    except Exception as e:  # last resort: never a traceback
        print(f"error: {target}: the report failed ({type(e).__name__}: {first_line(e)})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
