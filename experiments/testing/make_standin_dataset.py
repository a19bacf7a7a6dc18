#!/usr/bin/python3
"""Writes a tiny stand-in dataset in the on-disk layout of PASCAL VOC 2012, COCO-Stuff 164k or PASCAL Context-59,
exactly as the readers in data/ expect it, so that a shipped paper experiment can run end to end in CI.

Usage: make_standin_dataset.py voc|coco|context OUT_DIR [--size=64] [--train=2] [--val=2] [--grid=4]

Every image is a grid of grid x grid blocks; block k of image i holds class c = (i * grid^2 + k) mod C, stored as
c + 1 (VOC, Context: 0 is background) or c (COCO-Stuff), painted in a colour that is a function of the class (plus
noise), so every class (seen and unseen) occurs once the images cover C blocks. Images are numbered across the
splits (train, then val, then VOC's aug), so the validation images hold other classes than the training ones. VOC labels are palette PNGs with a
one-pixel border of 255 around each block, as VOC's object borders; COCO-Stuff and Context labels are greyscale.

  voc:     JPEGImages/<id>.jpg, SegmentationClass/<id>.png, SegmentationClassAug/<id>.png,
           ImageSets/Segmentation/{train,val,aug}.txt  (train_aug = train + aug)
  coco:    images/{train2017,val2017}/<id>.jpg, annotations/{train2017,val2017}/<id>_labelTrainIds.png
  context: JPEGImages/<id>.jpg, SegmentationClassContext/<id>.png, ImageSets/SegmentationContext/{train,val}.txt
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image

CLASSES = {"voc": 20, "coco": 171, "context": 59}


def voc_palette():
    """VOC's colour map (the bit-interleaved one every VOC label PNG carries)."""
    palette = []
    for index in range(256):
        r = g = b = 0
        c = index
        for shift in range(7, -1, -1):
            r |= (c & 1) << shift
            g |= ((c >> 1) & 1) << shift
            b |= ((c >> 2) & 1) << shift
            c >>= 3
        palette += [r, g, b]
    return palette


def class_colour(k):
    # Distinct, deterministic colours: a class's pixels look alike in every image.
    rng = np.random.RandomState(1000 + k)
    return rng.randint(30, 226, 3)


def render(index, size, grid, classes, layout):
    """(image HxWx3 uint8, stored label HxW uint8) of image `index`."""
    block = size // grid
    label = np.zeros((size, size), np.uint8)
    image = np.zeros((size, size, 3), np.uint8)
    noise = np.random.RandomState(index).randint(-12, 13, (size, size, 3))
    for k in range(grid * grid):
        cls = (index * grid * grid + k) % classes
        y, x = (k // grid) * block, (k % grid) * block
        stored = cls if layout == "coco" else cls + 1
        label[y:y + block, x:x + block] = stored
        image[y:y + block, x:x + block] = class_colour(cls)
        if layout == "voc":  # object borders, ignored by the reader (255)
            label[y, x:x + block] = label[y + block - 1, x:x + block] = 255
            label[y:y + block, x] = label[y:y + block, x + block - 1] = 255
    image = np.clip(image.astype(np.int32) + noise, 0, 255).astype(np.uint8)
    return image, label


def save_label(path, label, palette):
    picture = Image.fromarray(label, mode="L")
    if palette is not None:
        picture = picture.convert("P")
        picture.putpalette(palette)
    picture.save(path)


def write_split(out, layout, split, ids, first_index, args, palette):
    """Writes the images and labels of one split; `ids` are the file stems."""
    for offset, stem in enumerate(ids):
        image, label = render(first_index + offset, args.size, args.grid, CLASSES[layout], layout)
        if layout == "coco":
            image_path = os.path.join(out, "images", f"{split}2017", stem + ".jpg")
            label_path = os.path.join(out, "annotations", f"{split}2017", stem + "_labelTrainIds.png")
        else:
            folder = {"voc": "SegmentationClassAug" if split == "aug" else "SegmentationClass",
                      "context": "SegmentationClassContext"}[layout]
            image_path = os.path.join(out, "JPEGImages", stem + ".jpg")
            label_path = os.path.join(out, folder, stem + ".png")
        os.makedirs(os.path.dirname(image_path), exist_ok=True)
        os.makedirs(os.path.dirname(label_path), exist_ok=True)
        Image.fromarray(image).save(image_path, quality=95)
        save_label(label_path, label, palette)
    if layout != "coco":
        lists = os.path.join(out, "ImageSets", "Segmentation" if layout == "voc" else "SegmentationContext")
        os.makedirs(lists, exist_ok=True)
        with open(os.path.join(lists, split + ".txt"), "w") as f:
            f.write("".join(stem + "\n" for stem in ids))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("layout", choices=sorted(CLASSES))
    parser.add_argument("out")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--train", type=int, default=2)
    parser.add_argument("--val", type=int, default=2)
    parser.add_argument("--grid", type=int, default=4)
    args = parser.parse_args()
    if args.grid < 1 or args.size < args.grid * 3 or args.size % args.grid:
        sys.exit(f"make_standin_dataset: --size={args.size} does not fit a {args.grid}x{args.grid} grid "
                 f"(a multiple of --grid, at least {args.grid * 3})")
    if args.train < 1 or args.val < 1:
        sys.exit("make_standin_dataset: --train and --val must be at least 1")
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit(f"make_standin_dataset: {args.out} exists and is not empty")
    palette = voc_palette() if args.layout == "voc" else None
    splits = [("train", args.train), ("val", args.val)] + ([("aug", args.train)] if args.layout == "voc" else [])
    first = 0
    for split, count in splits:
        # Distinct ids across splits (VOC's aug ids differ from train's too), deterministic per split.
        ids = [f"{split}_{i:06d}" for i in range(count)]
        write_split(args.out, args.layout, split, ids, first, args, palette)
        first += count
    print(args.out)


if __name__ == "__main__":
    main()
