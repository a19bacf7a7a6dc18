#!/usr/bin/python3
"""Writes the fixtures of image_preprocess_test.cc with Pillow (Debian's python3-pil) and numpy.

OpenAI's clip._transform is torchvision's Resize(n, BICUBIC), CenterCrop(n), convert("RGB"), ToTensor,
Normalize(mean, std). torchvision is not installed here, so this restates what those transforms do to a PIL image
(torchvision/transforms/functional.py + functional_pil.py):
  Resize(n)      short side -> n, long side int(n * long / short); img.resize((w, h), Image.BICUBIC)
  CenterCrop(n)  top = int(round((h - n) / 2.0)), left = int(round((w - n) / 2.0)); img.crop(...)
  ToTensor       uint8 HWC -> float32 CHW / 255
  Normalize      (x - mean) / std in float32
Run from the repository root:  /usr/bin/python3 zegclip/clip/testdata/make_preprocess_fixture.py
"""
import os

import numpy as np
from PIL import Image

OUT = os.path.dirname(os.path.abspath(__file__))
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32).reshape(3, 1, 1)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32).reshape(3, 1, 1)


def test_image():
    """45 x 37 RGB: smooth gradients, hard edges (the bicubic kernel's negative lobes overshoot) and noise."""
    rng = np.random.RandomState(2023)
    h, w = 37, 45
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), dtype=np.float64)
    img[..., 0] = 255.0 * x / (w - 1)
    img[..., 1] = 255.0 * y / (h - 1)
    img[..., 2] = 128 + 100 * np.sin(x / 3.0) * np.cos(y / 4.0)
    img[(x // 6 + y // 6) % 2 == 0] = [255, 255, 255]  # a checkerboard of white squares
    img[10:14, :] = 0
    img += rng.normal(0, 12, img.shape)
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")


def clip_transform(img, n):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    if short != n:
        new_short, new_long = n, int(n * long / short)
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        img = img.resize((new_w, new_h), Image.BICUBIC)
    w, h = img.size
    top, left = int(round((h - n) / 2.0)), int(round((w - n) / 2.0))
    img = img.crop((left, top, left + n, top + n)).convert("RGB")
    x = np.asarray(img, dtype=np.uint8).transpose(2, 0, 1).astype(np.float32) / np.float32(255)
    return ((x - MEAN) / STD).astype(np.float32)


def main():
    img = test_image()
    img.save(os.path.join(OUT, "preprocess_input.png"))
    img = Image.open(os.path.join(OUT, "preprocess_input.png"))  # what the C++ side decodes
    for n in (24, 64):
        np.save(os.path.join(OUT, f"preprocess_clip_{n}.npy"), clip_transform(img, n))
    np.save(os.path.join(OUT, "preprocess_clip_transposed_24.npy"),
            clip_transform(img.transpose(Image.TRANSPOSE), 24))
    # Raw resizes (uint8 HWC): down both ways, strong antialiasing, and up one axis while down the other.
    for w, h in ((29, 24), (11, 9), (20, 60)):
        np.save(os.path.join(OUT, f"preprocess_resize_{w}x{h}.npy"),
                np.asarray(img.resize((w, h), Image.BICUBIC), dtype=np.uint8))


if __name__ == "__main__":
    main()
