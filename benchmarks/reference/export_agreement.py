#!/usr/bin/env python3
"""Shared weights, inputs and reference outputs for the C++ / PyTorch agreement check (benchmarks/reference_agreement).

Builds the authors'-style reference model (zegclip_reference_model.py) with random weights, runs it on random images
and unit text embeddings, and writes into --out:
  weights.tensors   its state_dict under the authors' released names (what tools/convert_zegclip_checkpoint.py
                    writes for their .pth), so the C++ side imports it exactly as it imports their checkpoint
  io.tensors        images (B, 3, R, R), text (C, D), the head counts (heads, text_heads, decoder_heads) and the reference logits (B, C, R, R): "eager_fp32" (the
                    released nn.MultiheadAttention path), "sdpa_fp32" (PyTorch >= 2.0) and, on CUDA, "eager_bf16"
                    (autocast), all in fp32 on the CPU
Both files are torch.save'd dicts of tensors, which zegclip/base/tensor_archive.h reads without Python.

  /usr/bin/python3 benchmarks/reference/export_agreement.py --out=/tmp/agree --tiny
  python3 benchmarks/reference/export_agreement.py --out=$OUT/agree --device=cuda      # ViT-B/16 at 512
"""
import argparse
import collections
import contextlib
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zegclip_reference_model as zr  # noqa: E402


def authors_state_dict(model):
    """The reference model's tensors under the released checkpoint's names: their decoder lives in decoder_1."""
    out = collections.OrderedDict()
    for key, value in model.state_dict().items():
        if key.startswith("decode_head.layers."):
            key = "decode_head.decoder_1." + key[len("decode_head."):]
        out[key] = value.detach().cpu().contiguous().clone()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="folder for weights.tensors and io.tensors")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--tiny", action="store_true", help="the tiny stand-in on 64-pixel images (tests)")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--classes", type=int, default=20)
    parser.add_argument("--prompt_tokens", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("export_agreement.py: --device=cuda but torch sees no GPU")
    # TF32 would make the reference itself differ from fp32 by ~1e-3: compare true fp32 on both sides.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(args.seed)
    cfg = zr.vision_config(args.tiny)
    model = zr.ZegClipReference(cfg, args.prompt_tokens).eval()
    images = torch.randn(args.batch, 3, cfg["resolution"], cfg["resolution"])
    text = torch.randn(args.classes, cfg["embed_dim"])
    text = text / text.norm(dim=-1, keepdim=True)

    device = torch.device(args.device)
    model.to(device)
    outputs = collections.OrderedDict(images=images, text=text)
    # Head counts are not in the weights' shapes: they travel as scalars.
    for key in ("heads", "text_heads", "decoder_heads"):
        outputs[key] = torch.tensor(cfg[key])
    with torch.no_grad():
        variants = [("eager_fp32", False, False)]
        if zr.has_sdpa():
            variants.append(("sdpa_fp32", True, False))
        if device.type == "cuda":
            variants.append(("eager_bf16", False, True))
        for name, fused, bf16 in variants:
            model.set_fused_attention(fused)
            context = torch.autocast(device_type="cuda", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
            with context:
                logits = model.logits(images.to(device), text.to(device))
            outputs[name] = logits.float().cpu().contiguous()
            print(f"export_agreement: {name} logits {tuple(logits.shape)} "
                  f"max |x| {logits.abs().max().item():.4g}", flush=True)

    os.makedirs(args.out, exist_ok=True)
    # Plain dicts: LibTorch's unpickler cannot rebuild an OrderedDict.
    torch.save(dict(authors_state_dict(model)), os.path.join(args.out, "weights.tensors"))
    torch.save(dict(outputs), os.path.join(args.out, "io.tensors"))
    print(f"export_agreement: torch {torch.__version__}, {args.device}, "
          f"{'tiny' if args.tiny else 'ViT-B/16'} -> {args.out}")


if __name__ == "__main__":
    main()
