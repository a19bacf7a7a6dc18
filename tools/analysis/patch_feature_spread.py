#!/usr/bin/env python3
"""How far apart an image encoder keeps the patches of one image: a collapse detector for trained encoders.

Runs the CLIP image encoder of each checkpoint on a synthetic world's images (as `zegclip make-synthetic` writes them)
and prints, per checkpoint, averaged over the images:
  token cos    mean cosine between the L2-normalised patch embeddings of one image (1.0: every patch alike)
  spread       mean squared distance of an image's patch embeddings from their mean (0: collapsed)
  label R2     share of that spread explained by the patches' ground-truth classes (1: features sort by class)
The embeddings are the encoder's dense output as zegclip's decoder receives it (ln_post, proj, L2-normalised; no
prompts: FROZEN and FINETUNE encoders and pre-trained CLIPs). The forward is an independent re-implementation in
PyTorch; tools/analysis/patch_feature_spread_test.sh holds it to `zegclip clip-encode`.

Usage (Debian's interpreter, python3-torch):
  zegclip make-synthetic --config=experiments/synthetic_wide_world.pbtxt --out=/tmp/world
  /usr/bin/python3 tools/analysis/patch_feature_spread.py --world=/tmp/world --vision_heads=4 \
      runs/synthetic_wide_world/clip/clip.pt runs/ablation/encoder=FINETUNE__loss=NEL__query=TEXT__seed=0/iter_1000.ckpt
"""
import argparse
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

# data/transforms.h's normalisation (the segmenter's), and OpenAI CLIP's (the pre-training's, clip-encode's).
SEGMENTER_MEAN, SEGMENTER_STD = (123.675, 116.28, 103.53), (58.395, 57.12, 57.375)
CLIP_MEAN = tuple(255 * m for m in (0.48145466, 0.4578275, 0.40821073))
CLIP_STD = tuple(255 * s for s in (0.26862954, 0.26130258, 0.27577711))


def load_visual(path):
    """The image encoder's tensors of a CLIP archive (`visual.*`) or a zegclip training checkpoint (`clip.visual.*`)."""
    archive = torch.jit.load(path, map_location='cpu')
    if hasattr(archive, 'model/names'):
        tensors = dict(zip(getattr(archive, 'model/names'), getattr(archive, 'model/tensors')))
    else:
        tensors = dict(archive.named_parameters())
        tensors.update(dict(archive.named_buffers()))
    for prefix in ('clip.visual.', 'visual.'):
        visual = {k[len(prefix):]: v.float() for k, v in tensors.items() if k.startswith(prefix)}
        if visual:
            return visual
    sys.exit(f'{path}: no image encoder tensors (visual.* or clip.visual.*)')


def layer_norm(x, sd, name):
    return F.layer_norm(x, (x.shape[-1],), sd[name + '.weight'], sd[name + '.bias'], 1e-5)


def resized_positions(pos, grid_h, grid_w):
    """The positional embedding's grid resized bilinearly to the image's (positional_embedding.cc)."""
    side = int(round((pos.shape[0] - 1) ** 0.5))
    if side == grid_h and side == grid_w:
        return pos
    grid = pos[1:].reshape(1, side, side, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(grid_h, grid_w), mode='bilinear', align_corners=False)
    return torch.cat([pos[:1], grid.permute(0, 2, 3, 1).reshape(grid_h * grid_w, -1)])


def block(x, sd, i, heads):
    p = f'transformer.resblocks.{i}.'
    batch, tokens, width = x.shape
    split = lambda t: t.reshape(batch, tokens, heads, width // heads).transpose(1, 2)
    q, k, v = F.linear(layer_norm(x, sd, p + 'ln_1'), sd[p + 'attn.in_proj_weight'],
                       sd[p + 'attn.in_proj_bias']).chunk(3, -1)
    attention = torch.softmax(split(q) @ split(k).transpose(-1, -2) / (width // heads) ** 0.5, -1) @ split(v)
    x = x + F.linear(attention.transpose(1, 2).reshape(batch, tokens, width), sd[p + 'attn.out_proj.weight'],
                     sd[p + 'attn.out_proj.bias'])
    h = F.linear(layer_norm(x, sd, p + 'ln_2'), sd[p + 'mlp.c_fc.weight'], sd[p + 'mlp.c_fc.bias'])
    h = h * torch.sigmoid(1.702 * h)  # QuickGELU
    return x + F.linear(h, sd[p + 'mlp.c_proj.weight'], sd[p + 'mlp.c_proj.bias'])


@torch.no_grad()
def encode(sd, images, heads):
    """(B, 3, H, W) normalised images -> L2-normalised (B, 1 + grid_h * grid_w, D) embeddings, CLS first."""
    x = F.conv2d(images, sd['conv1.weight'], stride=sd['conv1.weight'].shape[-1])
    batch, width, grid_h, grid_w = x.shape
    x = torch.cat([sd['class_embedding'].expand(batch, 1, width), x.flatten(2).transpose(1, 2)], 1)
    x = layer_norm(x + resized_positions(sd['positional_embedding'], grid_h, grid_w), sd, 'ln_pre')
    i = 0
    while f'transformer.resblocks.{i}.ln_1.weight' in sd:
        x = block(x, sd, i, heads)
        i += 1
    return F.normalize(layer_norm(x, sd, 'ln_post') @ sd['proj'], dim=-1)


def read_images(paths, mean, std):
    pixels = [torch.from_numpy(np.array(Image.open(p).convert('RGB'))).permute(2, 0, 1).float() for p in paths]
    return (torch.stack(pixels) - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def spread_metrics(patches, labels):
    """patches (B, N, D) L2-normalised, labels (B, N) -> (token cos, spread, label R2), each averaged over B."""
    cos = (patches @ patches.transpose(1, 2)).mean().item()
    centred = patches - patches.mean(1, keepdim=True)
    spread = centred.pow(2).sum(-1).mean().item()
    r2 = []
    for f, lab in zip(patches, labels):
        total = (f - f.mean(0)).pow(2).sum()
        within = sum((f[lab == c] - f[lab == c].mean(0)).pow(2).sum() for c in lab.unique())
        r2.append((1 - within / total).item() if total > 0 else 0.0)  # all patches alike: nothing explained
    return cos, spread, float(np.mean(r2))


def patch_labels(label_maps, grid_h, grid_w):
    """Each patch's majority class of its pixels (B, H, W) -> (B, grid_h * grid_w)."""
    b, h, w = label_maps.shape
    ph, pw = h // grid_h, w // grid_w
    cells = label_maps.reshape(b, grid_h, ph, grid_w, pw).permute(0, 1, 3, 2, 4).reshape(b, grid_h * grid_w, ph * pw)
    return cells.mode(-1).values


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--world', required=True, help='a folder written by zegclip make-synthetic')
    parser.add_argument('--split', default='val')
    parser.add_argument('--images', type=int, default=100, help='the first N images of the split')
    parser.add_argument('--vision_heads', type=int, required=True, help="the encoder's attention heads (config)")
    parser.add_argument('checkpoints', nargs='+')
    args = parser.parse_args()
    names = open(f'{args.world}/ImageSets/Segmentation/{args.split}.txt').read().split()[:args.images]
    if not names:
        sys.exit(f'{args.world}: no images in split {args.split}')
    images = read_images([f'{args.world}/JPEGImages/{n}.jpg' for n in names], SEGMENTER_MEAN, SEGMENTER_STD)
    label_maps = torch.stack([torch.from_numpy(np.array(Image.open(f'{args.world}/SegmentationClass/{n}.png')))
                              .long() for n in names])
    print(f'{len(names)} {args.split} images of {args.world}')
    print(f'{"token cos":>9} {"spread":>7} {"label R2":>8}  checkpoint')
    for path in args.checkpoints:
        sd = load_visual(path)
        embeddings = encode(sd, images, args.vision_heads)
        patch = sd['conv1.weight'].shape[-1]
        grid_h, grid_w = images.shape[2] // patch, images.shape[3] // patch
        cos, spread, r2 = spread_metrics(embeddings[:, 1:], patch_labels(label_maps, grid_h, grid_w))
        print(f'{cos:9.3f} {spread:7.3f} {r2:8.3f}  {path}')


if __name__ == '__main__':
    main()
