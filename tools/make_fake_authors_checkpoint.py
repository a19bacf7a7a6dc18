#!/usr/bin/env python3
"""Writes a tiny checkpoint shaped like the authors' released ZegCLIP `.pth`, for the importer's tests.

The keys are the ones their code (github.com/ZiqinZhou66/ZegCLIP) creates — VPTCLIPVisionTransformer as `backbone`,
CLIPTextEncoder as `text_encoder`, ATMSingleHeadSeg as `decode_head` with TPN_Decoder layers that still carry
nn.TransformerDecoderLayer's self_attn and norm1, and the loss's `empty_weight` buffer — at a toy size:
image tower width 16, patch 8, 2 blocks, 16² input (2×2 grid), embed 8; text tower width 8, 1 block, vocab 40,
context 8; 2 deep prompt tokens over 1 extra layer; decoder width 8, 2 layers.

Tensor i (in sorted key order) holds i + 0.001·[0, 1, 2, ...]: every value in the file is unique, so a test can
tell which tensor landed where. Like a real mmseg file it also pickles `meta` (with an object of a class from a
module that will not be importable when the file is read, and a numpy array) and an `optimizer` entry.

Usage: /usr/bin/python3 tools/make_fake_authors_checkpoint.py OUT.pth [--module_prefix] [--shallow] [--random_values]
       [--vocab_size=N] [--context_length=L]
"""
import argparse
import sys
import types

import numpy as np
import torch


def resblock(prefix, w):
    return {
        f"{prefix}attn.in_proj_weight": (3 * w, w), f"{prefix}attn.in_proj_bias": (3 * w,),
        f"{prefix}attn.out_proj.weight": (w, w), f"{prefix}attn.out_proj.bias": (w,),
        f"{prefix}ln_1.weight": (w,), f"{prefix}ln_1.bias": (w,),
        f"{prefix}mlp.c_fc.weight": (4 * w, w), f"{prefix}mlp.c_fc.bias": (4 * w,),
        f"{prefix}mlp.c_proj.weight": (w, 4 * w), f"{prefix}mlp.c_proj.bias": (w,),
        f"{prefix}ln_2.weight": (w,), f"{prefix}ln_2.bias": (w,),
    }


def decoder_layer(prefix, w):
    shapes = {
        f"{prefix}self_attn.in_proj_weight": (3 * w, w), f"{prefix}self_attn.in_proj_bias": (3 * w,),
        f"{prefix}self_attn.out_proj.weight": (w, w), f"{prefix}self_attn.out_proj.bias": (w,),
        f"{prefix}linear1.weight": (4 * w, w), f"{prefix}linear1.bias": (4 * w,),
        f"{prefix}linear2.weight": (w, 4 * w), f"{prefix}linear2.bias": (w,),
    }
    for norm in ("norm1", "norm2", "norm3"):
        shapes[f"{prefix}{norm}.weight"] = (w,)
        shapes[f"{prefix}{norm}.bias"] = (w,)
    for proj in ("q", "k", "v", "proj"):
        shapes[f"{prefix}multihead_attn.{proj}.weight"] = (w, w)
        shapes[f"{prefix}multihead_attn.{proj}.bias"] = (w,)
    return shapes


def shapes(shallow, vocab_size=40, context_length=8):
    vw, embed, tw, n = 16, 8, 8, 2
    s = {
        "backbone.conv1.weight": (vw, 3, 8, 8), "backbone.class_embedding": (vw,),
        "backbone.positional_embedding": (5, vw), "backbone.ln_pre.weight": (vw,), "backbone.ln_pre.bias": (vw,),
        "backbone.ln_post.weight": (vw,), "backbone.ln_post.bias": (vw,), "backbone.proj": (vw, embed),
        "backbone.prompt_embeddings": (1, n, vw),
        "backbone.prompt_proj.weight": (vw, vw), "backbone.prompt_proj.bias": (vw,),
        # Built in both of their modes (unused by their shallow forward).
        "backbone.prompt_norm.weight": (vw,), "backbone.prompt_norm.bias": (vw,),
        "text_encoder.token_embedding.weight": (vocab_size, tw),
        "text_encoder.positional_embedding": (context_length, tw),
        "text_encoder.ln_final.weight": (tw,), "text_encoder.ln_final.bias": (tw,),
        "text_encoder.text_projection": (tw, embed),
        "decode_head.q_proj.weight": (embed, 2 * embed), "decode_head.q_proj.bias": (embed,),
        "decode_head.loss_decode.criterion.empty_weight": (16,),
    }
    if not shallow:
        s["backbone.deep_prompt_embeddings"] = (1, n, vw)
    for i in range(2):
        s.update(resblock(f"backbone.transformer.resblocks.{i}.", vw))
        s.update(decoder_layer(f"decode_head.decoder_1.layers.{i}.", embed))
    s.update(resblock("text_encoder.transformer.resblocks.0.", tw))
    return s


class _Config:
    """Pickled from a module that does not exist when the file is read (as mmcv's classes on a machine without it)."""

    def __init__(self):
        self.text = "model = dict(type='ZegCLIP')"


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--module_prefix", action="store_true", help="keys as DataParallel saves them (module.*)")
    parser.add_argument("--shallow", action="store_true", help="no deep prompts (their total_d_layer = 0)")
    parser.add_argument("--vocab_size", type=int, default=40, help="text tower vocabulary (OpenAI's: 49408)")
    parser.add_argument("--context_length", type=int, default=8)
    parser.add_argument("--random_values", action="store_true",
                        help="N(0, 0.02) values (LayerNorm weights 1) instead of the index pattern: a model that "
                             "computes sensible numbers")
    args = parser.parse_args(argv)
    fake = types.ModuleType("fake_mmcv_config")
    fake.Config = _Config
    _Config.__module__ = "fake_mmcv_config"
    _Config.__qualname__ = "Config"
    sys.modules["fake_mmcv_config"] = fake
    state = {}
    torch.manual_seed(0)
    for i, (key, shape) in enumerate(sorted(shapes(args.shallow, args.vocab_size, args.context_length).items())):
        numel = int(np.prod(shape))
        if not args.random_values:
            value = (i + 0.001 * torch.arange(numel)).reshape(shape)
        elif "ln_" in key or "norm" in key:
            value = torch.ones(shape) if key.endswith("weight") else torch.zeros(shape)
        else:
            value = 0.02 * torch.randn(shape)
        state[("module." if args.module_prefix else "") + key] = value
    checkpoint = {
        "meta": {"config": _Config(), "CLASSES": ("cat", "dog"), "PALETTE": np.zeros((2, 3), np.uint8),
                 "iter": 20000},
        "state_dict": state,
        "optimizer": {"state": {0: {"exp_avg": torch.zeros(3)}}, "param_groups": [{"lr": 2e-5}]},
    }
    torch.save(checkpoint, args.output)


if __name__ == "__main__":
    main(sys.argv[1:])
