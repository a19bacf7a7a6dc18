#!/usr/bin/env python3
"""Compares our labels / scores with the authors' reference outputs written by authors_test_path.py.

    compare_labels.py OUT                      # ours: OUT/<name>_ours/labels.png and OUT/<name>_ours_scores.npy
    compare_labels.py OUT --ours_labels='{out}/{name}_labels.npy' --ours_scores='{out}/{name}_scores.npy'  # self
    compare_labels.py OUT --ours_labels='/tmp/run2/{name}_labels.npy' --ours_scores='/tmp/run2/{name}_scores.npy'

For every image of OUT/authors_summary.json it prints: label agreement over all pixels; over the pixels whose value
comes only from where sliding windows overlap (images with more than one window; for a resized image, the original
pixels whose bilinear sources all lie in an overlap); over the pixels where the authors' top-2 score margin
exceeds 1e-4 (a float-rounding-level difference cannot flip those); and max / mean |score difference|.
Labels may be .npy (H x W integers) or a palette-index PNG (pixel value = class index). Exit status 1 if any image's
all-pixel agreement is below --min_agreement (default 99.9 %) or a file is missing / has the wrong shape.
"""
import argparse
import json
import math
import os
import sys

import numpy as np


def load_labels(path):
    if path.endswith(".npy"):
        return np.load(path)
    from PIL import Image
    img = Image.open(path)
    if img.mode not in ("P", "L"):
        raise ValueError(f"{path}: mode {img.mode}, expected a palette-index (P) or grey (L) PNG")
    return np.asarray(img)


def bilinear_sources(n_out, n_in):
    """For a bilinear resize n_in -> n_out (align_corners=False, as F.interpolate): each output pixel's two source
    indices, the second repeated where its weight is 0 (so it never counts)."""
    x = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    x = np.maximum(x, 0)  # F.interpolate clamps negative source coordinates to 0
    x0 = np.minimum(np.floor(x).astype(int), n_in - 1)
    x1 = np.minimum(x0 + 1, n_in - 1)
    return x0, np.where(x - x0 == 0, x0, x1)


def overlap_mask(entry):
    """Pixels (at the image's size) whose scores come only from where two or more windows overlap: the windows'
    count > 1 at every bilinear source of the final resize (test size -> image size; identity when equal)."""
    wins = entry["windows"]
    if len(wins) < 2:
        return None
    th, tw = entry["test_height"], entry["test_width"]
    multi = np.zeros((th, tw), dtype=np.int32)
    for y1, y2, x1, x2 in wins:
        multi[y1:y2, x1:x2] += 1
    multi = multi > 1
    y0, y1 = bilinear_sources(entry["height"], th)
    x0, x1 = bilinear_sources(entry["width"], tw)
    return (multi[y0][:, x0] & multi[y0][:, x1] & multi[y1][:, x0] & multi[y1][:, x1])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="folder written by authors_test_path.py")
    parser.add_argument("--ours_labels", default="{out}/{name}_ours/labels.png")
    parser.add_argument("--ours_scores", default="{out}/{name}_ours_scores.npy",
                        help="empty: do not compare scores")
    parser.add_argument("--min_agreement", type=float, default=99.9, help="percent")
    args = parser.parse_args(argv)

    with open(os.path.join(args.out, "authors_summary.json")) as f:
        summary = json.load(f)
    failed = False
    header = f"{'image':<14} {'size':>10} {'agree all':>10} {'overlap':>20} {'margin>1e-4':>12} " \
             f"{'max|ds|':>9} {'mean|ds|':>9}"
    print(header)
    for entry in summary["images"]:
        name, h, w = entry["name"], entry["height"], entry["width"]
        ref_labels = np.load(os.path.join(args.out, f"{name}_labels.npy"))
        ref_scores = np.load(os.path.join(args.out, f"{name}_scores.npy"))
        try:
            ours = load_labels(args.ours_labels.format(out=args.out, name=name))
        except (OSError, ValueError) as e:
            print(f"{name:<14} cannot read our labels: {e}")
            failed = True
            continue
        if ours.shape != ref_labels.shape:
            print(f"{name:<14} our labels are {ours.shape}, the authors' {ref_labels.shape}")
            failed = True
            continue
        same = ours.astype(np.int64) == ref_labels
        agree = 100.0 * same.mean()
        mask = overlap_mask(entry)
        overlap = f"{100.0 * same[mask].mean():.4f} % ({int(mask.sum())})" if mask is not None and mask.any() \
            else "n/a"
        top2 = np.sort(ref_scores, axis=0)[-2:]
        confident = (top2[1] - top2[0]) > 1e-4
        agree_conf = f"{100.0 * same[confident].mean():.4f} %"
        max_d = mean_d = float("nan")
        if args.ours_scores:
            path = args.ours_scores.format(out=args.out, name=name)
            try:
                ours_scores = np.load(path)
            except OSError as e:
                print(f"{name:<14} cannot read our scores: {e}")
                failed = True
                continue
            if ours_scores.shape != ref_scores.shape:
                print(f"{name:<14} our scores are {ours_scores.shape}, the authors' {ref_scores.shape}")
                failed = True
                continue
            d = np.abs(ours_scores.astype(np.float64) - ref_scores.astype(np.float64))
            max_d, mean_d = float(d.max()), float(d.mean())
        print(f"{name:<14} {f'{h}x{w}':>10} {agree:>8.4f} % {overlap:>20} {agree_conf:>12} {max_d:>9.2e} {mean_d:>9.2e}")
        if not agree >= args.min_agreement or (args.ours_scores and not math.isfinite(max_d)):
            failed = True
    if failed:
        print(f"FAILED: an image is missing, mis-shaped or agrees on fewer than {args.min_agreement} % of pixels")
        return 1
    print(f"OK: every image agrees on at least {args.min_agreement} % of pixels")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
