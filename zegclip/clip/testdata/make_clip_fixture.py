#!/usr/bin/python3
"""A small CLIP with OpenAI's architecture, parameter names, archive layout and fp16 storage, plus golden outputs.

This is an independent restatement of OpenAI's clip/model.py (ViT variant only; semantics checked against
github.com/openai/CLIP): LayerNorm computed in float32, QuickGELU, nn.MultiheadAttention in sequence-first layout,
a causal additive mask in the text tower, the class token prepended in the image tower, EOT pooling at
text.argmax(-1), convert_weights' fp16 for conv / linear / attention weights and the two projections, and
non-parameter entries input_resolution / context_length / vocab_size in the archive as in ViT-B-16.pt.

It writes (into this folder; run from anywhere with Debian's python3-torch, python3-numpy, python3-pil):
  clip_fixture.pt                     TorchScript archive (torch.jit.script + torch.jit.save), fp16 like the release
  clip_fixture_images.npy             float32 (2, 3, 32, 32) inputs (already normalised)
  clip_fixture_tokens.npy             int64 (3, 77) token rows [sot, ids..., eot, 0...] (eot = the largest id)
  clip_fixture_image_features.npy     float32 (2, 64) encode_image(images), not normalised
  clip_fixture_text_features.npy      float32 (3, 64) encode_text(tokens), not normalised
  clip_fixture_logits.npy             float32 (2, 3) forward(images, tokens)[0]: logit_scale.exp() x cosines
  clip_fixture_png_features.npy       float32 (1, 64) encode_image(clip._transform(32)(preprocess_input.png))
Goldens are computed as clip.load(..., device="cpu") does: the fp16 weights cast back to float32, eager float32.
"""
import copy
import os
import sys
from collections import OrderedDict
from typing import Optional

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.nn import functional as F

OUT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, OUT)
from make_preprocess_fixture import clip_transform  # noqa: E402  (OpenAI's _transform, restated with PIL)

# Small (the archive stays under 1 MB) but with the structural features that matter: two heads per tower (width
# 128 / 64, OpenAI's rule, so the causal mask meets several heads), a 4 x 4 grid of 8-pixel patches, OpenAI's
# 77-token context. One block per tower: more blocks repeat the same code and cost 400 kB each.
ARCH = dict(embed_dim=64, image_resolution=32, vision_layers=1, vision_width=128, vision_patch_size=8,
            context_length=77, vocab_size=100, transformer_width=128, transformer_heads=2, transformer_layers=1)


class LayerNorm(nn.LayerNorm):
    """Computed in float32 whatever the input dtype, as OpenAI's."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        orig_type = x.dtype  # (F.layer_norm rather than super().forward: TorchScript has no super())
        out = F.layer_norm(x.type(torch.float32), self.normalized_shape, self.weight, self.bias, self.eps)
        return out.type(orig_type)


class QuickGELU(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    attn_mask: Optional[torch.Tensor]

    def __init__(self, width: int, heads: int, attn_mask: Optional[torch.Tensor] = None):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, 4 * width)),
            ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(4 * width, width)),
        ]))
        self.ln_2 = LayerNorm(width)
        self.attn_mask = attn_mask  # a plain attribute: not part of the state dict, as OpenAI's

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mask = self.attn_mask
        if mask is not None:
            mask = mask.to(dtype=x.dtype, device=x.device)
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width: int, layers: int, heads: int, attn_mask: Optional[torch.Tensor] = None):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, attn_mask) for _ in range(layers)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    def __init__(self, resolution: int, patch: int, width: int, layers: int, heads: int, output_dim: int):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((resolution // patch) ** 2 + 1, width))
        self.ln_pre = LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)                                    # (N, width, g, g)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)   # (N, g*g, width)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype,
                                                             device=x.device)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x).permute(1, 0, 2)                  # sequence first
        x = self.transformer(x).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class CLIP(nn.Module):
    def __init__(self, embed_dim, image_resolution, vision_layers, vision_width, vision_patch_size,
                 context_length, vocab_size, transformer_width, transformer_heads, transformer_layers):
        super().__init__()
        self.visual = VisionTransformer(image_resolution, vision_patch_size, vision_width, vision_layers,
                                        vision_width // 64, embed_dim)
        mask = torch.full((context_length, context_length), float("-inf")).triu_(1)
        self.transformer = Transformer(transformer_width, transformer_layers, transformer_heads, mask)
        self.token_embedding = nn.Embedding(vocab_size, transformer_width)
        self.positional_embedding = nn.Parameter(torch.empty(context_length, transformer_width))
        self.ln_final = LayerNorm(transformer_width)
        self.text_projection = nn.Parameter(torch.empty(transformer_width, embed_dim))
        self.logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))
        # OpenAI's archives carry these three as non-parameter entries; loaders must ignore them.
        self.register_buffer("input_resolution", torch.tensor(image_resolution))
        self.register_buffer("context_length", torch.tensor(context_length))
        self.register_buffer("vocab_size", torch.tensor(vocab_size))
        self.initialize_parameters(transformer_width, transformer_layers)

    def initialize_parameters(self, width, layers):
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        proj_std, attn_std, fc_std = width ** -0.5 * (2 * layers) ** -0.5, width ** -0.5, (2 * width) ** -0.5
        for block in self.transformer.resblocks:
            nn.init.normal_(block.attn.in_proj_weight, std=attn_std)
            nn.init.normal_(block.attn.out_proj.weight, std=proj_std)
            nn.init.normal_(block.mlp.c_fc.weight, std=fc_std)
            nn.init.normal_(block.mlp.c_proj.weight, std=proj_std)
        nn.init.normal_(self.text_projection, std=width ** -0.5)

    def encode_image(self, image: torch.Tensor) -> torch.Tensor:
        return self.visual(image.type(self.visual.conv1.weight.dtype))

    def encode_text(self, text: torch.Tensor) -> torch.Tensor:
        dtype = self.visual.conv1.weight.dtype
        x = self.token_embedding(text).type(dtype) + self.positional_embedding.type(dtype)
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_final(x).type(dtype)
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection

    def forward(self, image: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        image_features = self.encode_image(image)
        text_features = self.encode_text(text)
        image_features = image_features / image_features.norm(p=2, dim=1, keepdim=True)
        text_features = text_features / text_features.norm(p=2, dim=1, keepdim=True)
        return self.logit_scale.exp() * image_features @ text_features.t()


def convert_weights(model: nn.Module):
    """OpenAI's convert_weights: fp16 for conv / linear / attention weights and biases and the projections."""
    def to_half(layer):
        if isinstance(layer, (nn.Conv1d, nn.Conv2d, nn.Linear)):
            layer.weight.data = layer.weight.data.half()
            if layer.bias is not None:
                layer.bias.data = layer.bias.data.half()
        if isinstance(layer, nn.MultiheadAttention):
            for attr in ["in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
                         "bias_k", "bias_v"]:
                tensor = getattr(layer, attr)
                if tensor is not None:
                    tensor.data = tensor.data.half()
        for name in ["text_projection", "proj"]:
            attr = getattr(layer, name, None)
            if isinstance(attr, torch.Tensor):
                attr.data = attr.data.half()
    model.apply(to_half)


def perturb(model: nn.Module, generator: torch.Generator):
    """Random LayerNorm affines and biases (defaults of 1 and 0 would hide a mix-up of weight and bias)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".ln_" in name or name.startswith("ln_") or name.endswith("bias"):
                base = 1.0 if name.endswith("weight") else 0.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=generator))
        model.logit_scale.fill_(3.0)


def fixed_tokens(generator: torch.Generator) -> torch.Tensor:
    vocab, context = ARCH["vocab_size"], ARCH["context_length"]
    sot, eot = vocab - 2, vocab - 1
    rows = torch.zeros(3, context, dtype=torch.long)
    for row, length in enumerate([2, 9, context]):  # [sot, eot]; a short text; a full context
        rows[row, 0] = sot
        rows[row, 1:length - 1] = torch.randint(1, vocab - 2, (length - 2,), generator=generator)
        rows[row, length - 1] = eot
    return rows


def save(name, array):
    np.save(os.path.join(OUT, name), np.ascontiguousarray(array))


def main():
    torch.manual_seed(20230607)
    generator = torch.Generator().manual_seed(7)
    model = CLIP(**ARCH).eval()
    perturb(model, generator)
    convert_weights(model)
    path = os.path.join(OUT, "clip_fixture.pt")
    torch.jit.save(torch.jit.script(model), path)

    # The archive as a user of OpenAI's code sees it.
    archive = torch.jit.load(path, map_location="cpu")
    state = archive.state_dict()
    assert state["visual.conv1.weight"].dtype == torch.float16 and state["ln_final.weight"].dtype == torch.float32
    assert "transformer.resblocks.0.attn.in_proj_weight" in state and "input_resolution" in state

    reference = copy.deepcopy(model).float().eval()  # clip.load(device="cpu") casts to float32
    images = torch.randn(2, 3, 32, 32, generator=generator)
    tokens = fixed_tokens(generator)
    png = torch.from_numpy(clip_transform(Image.open(os.path.join(OUT, "preprocess_input.png")), 32))[None]
    with torch.no_grad():
        image_features = reference.encode_image(images)
        text_features = reference.encode_text(tokens)
        logits = reference(images, tokens)
        png_features = reference.encode_image(png)
        scripted = archive.float()(images, tokens)
    assert torch.allclose(scripted, logits, atol=1e-5), "the scripted archive disagrees with the eager model"
    save("clip_fixture_images.npy", images.numpy())
    save("clip_fixture_tokens.npy", tokens.numpy())
    save("clip_fixture_image_features.npy", image_features.numpy())
    save("clip_fixture_text_features.npy", text_features.numpy())
    save("clip_fixture_logits.npy", logits.numpy())
    save("clip_fixture_png_features.npy", png_features.numpy())
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
