#!/usr/bin/env python3
"""The quickstart's two training steps in PyTorch eager, for benchmarks/step_benchmark.cc to compare against in the
same run: the same work at the same sizes, timed the same way, with the ops per step counted.

  clip_step     CLIP contrastive pre-training: 256 image-caption pairs, ViT patch 8 on 32x32 images (17 tokens),
                width 128, 4 layers; text transformer width 128, 3 causal layers over 24 tokens; symmetric
                cross-entropy over the 256 x 256 similarities; AdamW over every parameter.
  zegclip_step  ZegCLIP on the seen classes: 64 images of 64x64, the same ViT (patch 8, 69 tokens with 4 deep
                prompts), frozen but for the prompts; relationship-descriptor queries for 28 classes, a 3-layer
                decoder of width 128; logits upsampled to 64x64; NEL loss (100 focal + dice) as the authors'
                criterion; AdamW over the prompts and the head.

Ops per step: calls of ATen ops with no op nested inside (the legacy autograd profiler's events without children),
which is what a GPU would launch as kernels; benchmarks/step_benchmark.cc counts its own the same way.

  python3 benchmarks/reference/step_reference.py --json_out=ref.json [--iters=10 --warmup=3 --threads=2]
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zegclip_reference_model as zr  # noqa: E402

SCHEMA = "zegclip-step-benchmark/1"
WIDTH, LAYERS, HEADS, EMBED = 128, 4, 4, 128
TEXT_LAYERS, CONTEXT, VOCAB = 3, 24, 512


class ClipReference(nn.Module):
    """OpenAI CLIP's structure at the quickstart's size (ViT image tower, causal text tower, learned logit scale)."""

    def __init__(self, image_size=32, patch=8):
        super().__init__()
        self.conv1 = nn.Conv2d(3, WIDTH, kernel_size=patch, stride=patch, bias=False)
        tokens = (image_size // patch) ** 2 + 1
        scale = WIDTH ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(WIDTH))
        self.visual_position = nn.Parameter(scale * torch.randn(tokens, WIDTH))
        self.ln_pre, self.ln_post = zr.LayerNorm(WIDTH), zr.LayerNorm(WIDTH)
        self.visual = zr.Transformer(WIDTH, LAYERS, HEADS)
        self.visual_proj = nn.Parameter(scale * torch.randn(WIDTH, EMBED))
        self.token_embedding = nn.Embedding(VOCAB, WIDTH)
        self.text_position = nn.Parameter(0.01 * torch.randn(CONTEXT, WIDTH))
        self.text = zr.Transformer(WIDTH, TEXT_LAYERS, HEADS, CONTEXT)
        self.ln_final = zr.LayerNorm(WIDTH)
        self.text_projection = nn.Parameter(WIDTH ** -0.5 * torch.randn(WIDTH, EMBED))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def encode_image(self, images):
        x = self.conv1(images).flatten(2).permute(0, 2, 1)
        cls = self.class_embedding + torch.zeros(x.shape[0], 1, WIDTH, dtype=x.dtype)
        x = self.ln_pre(torch.cat([cls, x], dim=1) + self.visual_position)
        x = self.visual.resblocks(x.permute(1, 0, 2)).permute(1, 0, 2)
        return self.ln_post(x[:, 0]) @ self.visual_proj

    def encode_text(self, tokens):
        x = self.token_embedding(tokens) + self.text_position[: tokens.shape[1]]
        for block in self.text.resblocks:
            block.attn_mask = block.attn_mask[: tokens.shape[1], : tokens.shape[1]]
        x = self.text.resblocks(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), tokens.argmax(dim=-1)] @ self.text_projection

    def loss(self, images, tokens):
        image = F.normalize(self.encode_image(images), dim=-1)
        text = F.normalize(self.encode_text(tokens), dim=-1)
        logits = self.logit_scale.exp() * image @ text.t()
        target = torch.arange(images.shape[0])
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2


def clip_step_fn(batch):
    torch.manual_seed(0)
    model = ClipReference().train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.2)
    images = torch.randn(batch, 3, 32, 32)
    # Captions of 4-9 tokens (SOT, words, EOT as the largest id), padded to the longest: the batch is trimmed.
    tokens = torch.zeros(batch, 9, dtype=torch.long)
    for i in range(batch):
        n = 4 + i % 6
        tokens[i, :n] = torch.randint(1, VOCAB - 1, (n,))
        tokens[i, n - 1] = VOCAB - 1

    def step():
        optimizer.zero_grad(set_to_none=True)
        model.loss(images, tokens).backward()
        optimizer.step()

    return step


def zegclip_step_fn(batch, classes=28):
    torch.manual_seed(0)
    cfg = dict(resolution=64, patch=8, width=WIDTH, layers=LAYERS, heads=HEADS, embed_dim=EMBED, context=CONTEXT,
               vocab=VOCAB, text_width=WIDTH, text_heads=HEADS, text_layers=TEXT_LAYERS, decoder_layers=3,
               decoder_heads=HEADS)
    model = zr.ZegClipReference(cfg, 4).train()
    optimizer = torch.optim.AdamW(model.freeze_like_the_authors(), lr=1e-3, weight_decay=0.01)
    text = F.normalize(torch.randn(classes, EMBED), dim=-1)
    images = torch.randn(batch, 3, 64, 64)
    labels = banded_labels(batch, 64, classes)

    def step():
        optimizer.zero_grad(set_to_none=True)
        zr.authors_style_loss(model.logits(images, text), labels).backward()
        optimizer.step()

    return step


def banded_labels(batch, size, classes):
    """Two objects per image in vertical bands on an ignored background (the synthetic world's layout); the C++
    benchmark builds the same maps from the same formula."""
    labels = torch.full((batch, size, size), 255, dtype=torch.long)
    for b in range(batch):
        labels[b, size // 4: 3 * size // 4, : size // 2] = (b * 7) % classes
        labels[b, size // 4: 3 * size // 4, size // 2:] = (b * 7 + 5) % classes
    return labels


def leaf_ops(step):
    with torch.autograd.profiler.profile(use_kineto=False) as prof:
        step()
    events = prof.function_events
    return sum(1 for e in events if not e.cpu_children), len(events)


def measure(name, step, args):
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.iters):
        start = time.perf_counter()
        step()
        times.append(1000 * (time.perf_counter() - start))
    leaves, calls = leaf_ops(step)
    times.sort()
    row = {"name": name, "ms_median": times[len(times) // 2], "ms_mean": sum(times) / len(times),
           "leaf_ops": leaves, "op_calls": calls, "iters": args.iters}
    print("%-13s %8.1f ms/step (median of %d)  %5d leaf ops, %5d op calls" %
          (name, row["ms_median"], args.iters, leaves, calls), file=sys.stderr)
    return row


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (0: every core)")
    p.add_argument("--steps", default="clip_step,zegclip_step")
    p.add_argument("--json_out", default="")
    args = p.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    rows = []
    for name in args.steps.split(","):
        if name == "clip_step":
            rows.append(measure(name, clip_step_fn(256), args))
        elif name == "zegclip_step":
            rows.append(measure(name, zegclip_step_fn(64), args))
        else:
            p.error("unknown step %r" % name)
    report = {"schema": SCHEMA, "runtime": "python3-torch %s" % torch.__version__,
              "threads": torch.get_num_threads(), "rows": rows}
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
