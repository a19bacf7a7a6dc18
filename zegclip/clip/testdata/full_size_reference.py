#!/usr/bin/python3
"""The full-size check of the C++ CLIP against OpenAI's Python semantics, with a random ViT-B/16 (no download).

  export DIR     writes DIR/ViT-B-16-random.pt: a TorchScript archive with ViT-B/16's exact architecture, names,
                 fp16 storage and archive layout (make_clip_fixture.py's restatement of OpenAI's model.py at
                 ViT-B/16 size, random weights with perturbed LayerNorms and biases), and two 224x224 PNG images
  compare DIR    encodes DIR's images and the token rows of DIR/tokens.txt (`zegclip tokenize` output, one row per
                 text) as clip.load(device="cpu") would (fp16 weights cast to float32; OpenAI's preprocessing), and
                 prints the per-row cosine with the C++ embeddings DIR/cpp_image.npy and DIR/cpp_text.npy
                 (`zegclip clip-encode --out_image --out_text`); exit 1 when a row is below --min_cosine

Run by zegclip/clip/full_size_clip_test.sh (Debian's python3-torch, python3-numpy, python3-pil).
"""
import argparse
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_clip_fixture as fixture  # noqa: E402  (OpenAI's architecture restated)
from make_preprocess_fixture import clip_transform  # noqa: E402  (OpenAI's _transform restated with PIL)

VIT_B_16 = dict(embed_dim=512, image_resolution=224, vision_layers=12, vision_width=768, vision_patch_size=16,
                context_length=77, vocab_size=49408, transformer_width=512, transformer_heads=8,
                transformer_layers=12)
ARCHIVE = "ViT-B-16-random.pt"
IMAGES = ("smooth.png", "noise.png")


def make_images(out):
    """Two 224x224 RGB images: smooth colour gradients and uniform noise (already at the model's resolution)."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:224, 0:224] / 223.0
    smooth = np.stack([x, y, 0.5 * (x + y)], axis=-1) * 255
    noise = rng.integers(0, 256, size=(224, 224, 3))
    for name, array in zip(IMAGES, (smooth, noise)):
        Image.fromarray(array.astype(np.uint8), "RGB").save(os.path.join(out, name))


def export(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20231127)
    model = fixture.CLIP(**VIT_B_16).eval()
    fixture.perturb(model, torch.Generator().manual_seed(11))
    fixture.convert_weights(model)
    torch.jit.save(torch.jit.script(model), os.path.join(out, ARCHIVE))
    make_images(out)
    print(f"full_size_reference: wrote {ARCHIVE} ({os.path.getsize(os.path.join(out, ARCHIVE)) >> 20} MiB) "
          f"and {len(IMAGES)} images to {out}")


def cosines(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def compare(out, min_cosine):
    model = torch.jit.load(os.path.join(out, ARCHIVE), map_location="cpu").float().eval()
    images = torch.stack([torch.from_numpy(clip_transform(Image.open(os.path.join(out, n)).convert("RGB"), 224))
                          for n in IMAGES])
    with open(os.path.join(out, "tokens.txt")) as f:
        tokens = torch.tensor([[int(t) for t in line.split()] for line in f if line.strip()], dtype=torch.long)
    with torch.no_grad():
        image_ref = model.encode_image(images).numpy()
        text_ref = model.encode_text(tokens).numpy()
    worst = 1.0
    for name, ref, cpp_file in (("image", image_ref, "cpp_image.npy"), ("text", text_ref, "cpp_text.npy")):
        cpp = np.load(os.path.join(out, cpp_file))
        if cpp.shape != ref.shape:
            sys.exit(f"full_size_reference: {cpp_file} has shape {cpp.shape}, the reference {ref.shape}")
        c = cosines(cpp.astype(np.float64), ref.astype(np.float64))
        worst = min(worst, float(c.min()))
        print(f"{name} rows: cosine " + " ".join(f"{v:.7f}" for v in c))
    print(f"full_size_reference: smallest cosine {worst:.7f} (required >= {min_cosine})")
    return 0 if worst >= min_cosine else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("command", choices=["export", "compare"])
    p.add_argument("dir")
    p.add_argument("--min_cosine", type=float, default=0.9999)
    args = p.parse_args()
    if args.command == "export":
        export(args.dir)
        return 0
    return compare(args.dir, args.min_cosine)


if __name__ == "__main__":
    sys.exit(main())
