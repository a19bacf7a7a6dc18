#!/usr/bin/env python3
"""Runs the authors' own, unmodified ZegCLIP code (their `models/` package) on its test path, as a reference.

    /usr/bin/python3 tools/authors_reference/authors_test_path.py --authors_repo=/tmp/zegclip_authors --out=/tmp/ref
    /usr/bin/python3 tools/authors_reference/authors_test_path.py --authors_repo=... --check_load=exported.pth

--authors_repo is a plain checkout of https://github.com/ZiqinZhou66/ZegCLIP (e.g. `git -C MIRROR archive HEAD |
tar -x -C DIR`); nothing of it is copied here. Its `models` package and its config files are imported from there,
with the small mmcv / mmseg / timm stand-ins of stand_ins/ first on sys.path (see README.md).

The model is the VOC inductive one, read from the authors' configs/voc12/vpt_seg_zero_vit-b_512x512_20k_12_10.py
(ViT-B/16 at 512, 10 deep prompt tokens in layers 0..11, decoder 3 layers / 8 heads / no input projection, seen
classes 0..14, unseen 15..19, slide test crop 512 stride 426) with test.py's changes (pretrained=None,
train_cfg=None, class_names = ZeroPascalVOCDataset20.CLASSES) and two of ours: pretrained_text=None (no CLIP weights
here: random ones, seeded) and load_text_embedding=None (their text encoder computes the class embeddings from their
template "a photo of a {c}" and their tokenizer instead of reading voc12_single.npy).

Writes into --out:
  authors.pth            {'state_dict': ..., 'meta': {}} of the model (eval mode), as mmseg saves checkpoints
  <name>.png             the test images (uint8 RGB, smooth colour blobs)
  <name>_labels.npy      H x W int64: simple_test's labels (softmax + argmax), at the image's size
  <name>_scores.npy      C x H x W float32: what slide_inference returned (rescaled to the image, before softmax)
  authors_summary.json   per image: sizes, test size, windows, label histogram; the seed and the class names
"""
import argparse
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STAND_INS = os.path.join(HERE, "stand_ins")
FALLBACK = os.path.join(STAND_INS, "fallback")
CONFIG = "configs/voc12/vpt_seg_zero_vit-b_512x512_20k_12_10.py"
DEFAULT_IMAGES = "one_window:512x512,two_windows:512x683,enlarged:375x500"
TEXT_ATTENTION_GAIN = 4.0  # see randomize()


def import_authors(authors_repo):
    """Stand-ins first, the authors' checkout next (their test.py runs from its root), fallbacks last."""
    sys.dont_write_bytecode = True  # keep the checkout and this folder free of __pycache__
    os.environ.setdefault("MPLBACKEND", "Agg")  # zegclip.py imports matplotlib.pyplot
    for name in ("mmcv", "mmseg", "timm", "models", "configs"):
        if name in sys.modules:
            raise SystemExit(f"{name} was imported before the stand-ins were put in place")
    sys.path.insert(0, authors_repo)
    sys.path.insert(0, STAND_INS)
    sys.path.append(FALLBACK)
    import mmcv  # noqa: F401
    import models  # the authors' package: registers ZegCLIP, VPTCLIPVisionTransformer, CLIPTextEncoder, ...
    expected = os.path.join(authors_repo, "models")
    if os.path.dirname(os.path.abspath(models.__file__)) != expected:
        raise SystemExit(f"imported `models` from {models.__file__}, not from {expected}")
    for name in ("mmcv", "mmseg", "timm"):
        where = os.path.abspath(sys.modules[name].__file__)
        if not where.startswith(STAND_INS + os.sep):
            raise SystemExit(f"{name} came from {where}, not from the stand-ins")
    return models


def build_config(authors_repo, config=CONFIG):
    from mmcv import Config
    from configs._base_.datasets.dataloader.voc12 import ZeroPascalVOCDataset20

    cfg = Config.fromfile(os.path.join(authors_repo, config))
    # test.py
    cfg.model.pretrained = None
    cfg.model.train_cfg = None
    cfg.model.class_names = list(ZeroPascalVOCDataset20.CLASSES)
    # ours: no OpenAI weights on this machine, and the class embeddings from their own text encoder
    cfg.model.pretrained_text = None
    cfg.model.load_text_embedding = None
    return cfg


def merge_model_snippet(cfg, path):
    """Merges the `model = dict(...)` text `zegclip export-authors` prints into cfg.model, key by key (nested dicts
    merged, other values replaced), as a user merges it into their config file."""
    from mmcv import ConfigDict

    namespace = {}
    with open(path) as f:
        exec(compile(f.read(), path, "exec"), {"dict": dict}, namespace)  # noqa: S102 - our own printed snippet
    if not isinstance(namespace.get("model"), dict):
        raise SystemExit(f"{path}: expected a `model = dict(...)` assignment")

    def merge(into, update):
        for key, value in update.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = ConfigDict(value) if isinstance(value, dict) else value

    merge(cfg.model, namespace["model"])


def build_model(cfg):
    from mmseg.models import build_segmentor
    return build_segmentor(cfg.model, test_cfg=cfg.get("test_cfg"))


def randomize(model, seed, mask_logit_gain):
    """Seeded random weights that exercise every tensor.

    1. Construction already drew (under torch.manual_seed(seed)): the backbone's class / positional embeddings
       (scale * randn), the prompts (uniform +-sqrt(6 / (3*16*16 + 768))), prompt_proj (kaiming normal), and
       torch's defaults for every Linear / Conv / MultiheadAttention.
    2. model.init_weights(), as train.py calls it: with no pretrained file the backbone and text encoder keep their
       draws; ATMSingleHeadSeg.init_weights sets every Linear to trunc_normal(std=.02) / bias 0 and LayerNorms to 1 / 0.
    3. Ours, standing in for OpenAI's ViT-B-16.pt: CLIP's initialize_parameters recipe for both transformers and the
       text encoder's token / positional embeddings and projection (the text encoder leaves positional_embedding and
       text_projection as torch.empty). Then every parameter that is still constant (LayerNorm weights 1, biases 0)
       gets noise, so that a swapped or dropped LayerNorm / bias in a port shows in the outputs.
    4. Two gains so that the labels depend on the whole network, not on the 0.1 seen offset alone:
       - the decoder's cross-attention q / k weights are multiplied by sqrt(mask_logit_gain): with std .02 the mask
         logits (q.k over unit-norm visual embeddings) are ~1e-3, every sigmoid ~0.5, and the offset would make
         every pixel an unseen class; the gain makes the logits O(1);
       - the text encoder's attention in_proj weights are multiplied by TEXT_ATTENTION_GAIN: with CLIP's init the 20
         prompts' embeddings have cosine ~0.94 (they share 6 of their 8 tokens and random attention averages them),
         so the class maps differ by less than the offset and seen classes never win; sharper attention brings the
         cosine to ~0.65.
    """
    import torch

    model.init_weights()
    g = torch.Generator().manual_seed(seed + 1)

    def normal_(t, std):
        with torch.no_grad():
            t.copy_(torch.randn(t.shape, generator=g) * std)

    def clip_transformer(transformer):
        width, layers = transformer.width, transformer.layers
        for block in transformer.resblocks:
            normal_(block.attn.in_proj_weight, width ** -0.5)
            normal_(block.attn.out_proj.weight, (width ** -0.5) * ((2 * layers) ** -0.5))
            normal_(block.mlp.c_fc.weight, (2 * width) ** -0.5)
            normal_(block.mlp.c_proj.weight, (width ** -0.5) * ((2 * layers) ** -0.5))

    text = model.text_encoder
    normal_(text.token_embedding.weight, 0.02)
    normal_(text.positional_embedding, 0.01)
    normal_(text.text_projection, text.transformer.width ** -0.5)
    clip_transformer(text.transformer)
    clip_transformer(model.backbone.transformer)
    with torch.no_grad():
        for block in text.transformer.resblocks:
            block.attn.in_proj_weight.mul_(TEXT_ATTENTION_GAIN)

    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.numel() > 1 and bool((p == p.flatten()[0]).all()):
                base = float(p.flatten()[0])
                std = 0.1 if base == 1.0 else 0.02
                p.add_(torch.randn(p.shape, generator=g) * std)
        scale = math.sqrt(mask_logit_gain)
        for m in model.decode_head.modules():
            if type(m).__name__ == "Attention" and hasattr(m, "q") and hasattr(m, "k"):
                m.q.weight.mul_(scale)
                m.k.weight.mul_(scale)
    still_constant = [n for n, p in model.named_parameters() if p.numel() > 1 and bool((p == p.flatten()[0]).all())]
    if still_constant:
        raise SystemExit(f"constant parameters after randomizing: {still_constant}")
    if any(not torch.isfinite(p).all() for p in model.parameters()):
        raise SystemExit("non-finite parameters after randomizing")


def make_image(height, width, seed):
    """Smooth random colour blobs on a smooth background: uint8 RGB, H x W x 3."""
    import numpy as np

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.zeros((height, width, 3))
    for c in range(3):  # background: a random linear gradient per channel
        a, b, base = rng.uniform(-0.4, 0.4, size=3)
        img[..., c] = 0.5 + base * 0.5 + a * (yy / height - 0.5) + b * (xx / width - 0.5)
    for _ in range(int(rng.integers(8, 14))):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        sy, sx = rng.uniform(0.04, 0.18) * height, rng.uniform(0.04, 0.18) * width
        colour = rng.uniform(0, 1, size=3)
        weight = np.exp(-(((yy - cy) / sy) ** 2 + ((xx - cx) / sx) ** 2) / 2)[..., None]
        img = img * (1 - weight) + colour * weight
    img += rng.normal(0, 0.01, size=img.shape)  # a little texture
    return np.clip(np.round(img * 255), 0, 255).astype(np.uint8)


def parse_images(text):
    images = []
    for item in text.split(","):
        name, _, size = item.partition(":")
        h, _, w = size.partition("x")
        if not name or not h.isdigit() or not w.isdigit():
            raise SystemExit(f"--images: '{item}' is not NAME:HxW")
        images.append((name, int(h), int(w)))
    return images


def windows(h_img, w_img, crop, stride):
    """The windows ZegCLIP.slide_inference visits (y1, y2, x1, x2), same arithmetic."""
    (h_crop, w_crop), (h_stride, w_stride) = crop, stride
    h_grids = max(h_img - h_crop + h_stride - 1, 0) // h_stride + 1
    w_grids = max(w_img - w_crop + w_stride - 1, 0) // w_stride + 1
    out = []
    for h_idx in range(h_grids):
        for w_idx in range(w_grids):
            y1, x1 = h_idx * h_stride, w_idx * w_stride
            y2, x2 = min(y1 + h_crop, h_img), min(x1 + w_crop, w_img)
            out.append((max(y2 - h_crop, 0), y2, max(x2 - w_crop, 0), x2))
    return out


def run_test_path(model, cfg, path):
    """One image through the authors' test: their test_pipeline, then model(return_loss=False, **data) as
    mmseg's single_gpu_test calls it (forward -> forward_test -> simple_test -> inference -> ZegCLIP.slide_inference
    -> ZegCLIP.encode_decode per window -> ATMSingleHeadSeg.forward_test), batch of one (mmcv's collate)."""
    import torch
    from mmseg.datasets.pipelines import Compose

    data = Compose(cfg.data.test.pipeline)(dict(img_info=dict(filename=path), img_prefix=None))
    imgs = [img.unsqueeze(0).contiguous() for img in data["img"]]
    metas = [[meta] for meta in data["img_metas"]]
    if len(imgs) != 1:
        raise SystemExit(f"expected one test augmentation, the pipeline made {len(imgs)}")

    recorded = {}
    slide = model.slide_inference  # record what it returns (the scores before inference's softmax)

    def recording_slide_inference(img, img_meta, rescale):
        out = slide(img, img_meta, rescale)
        recorded["scores"] = out.detach().clone()
        recorded["rescale"] = rescale
        return out

    calls = {"encode_decode": 0}
    encode_decode = model.encode_decode

    def counting_encode_decode(img, img_metas):
        calls["encode_decode"] += 1
        if tuple(img.shape[2:]) != tuple(cfg.model.test_cfg.crop_size):
            print(f"  note: window of {tuple(img.shape[2:])}, not the crop size; the head assumes square windows")
        return encode_decode(img, img_metas)

    model.slide_inference = recording_slide_inference
    model.encode_decode = counting_encode_decode
    try:
        with torch.no_grad():
            result = model(return_loss=False, img=imgs, img_metas=metas)
    finally:
        del model.slide_inference
        del model.encode_decode
    assert recorded.get("rescale") is True, "simple_test should call slide_inference with rescale=True"
    labels = result[0].astype("int64")
    scores = recorded["scores"][0].float().numpy()
    return labels, scores, tuple(imgs[0].shape[2:]), tuple(metas[0][0]["ori_shape"][:2]), calls["encode_decode"]


def check_load(cfg, path):
    import torch

    model = build_model(cfg)
    model.eval()
    ckpt = torch.load(path, map_location="cpu")
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        print(f"{path}: no 'state_dict' in the checkpoint (keys: {list(ckpt) if isinstance(ckpt, dict) else ckpt})")
        return 1
    state = ckpt["state_dict"]
    # mmcv's load_checkpoint strips a DataParallel 'module.' prefix before loading; so does this check.
    state = {(k[len("module."):] if k.startswith("module.") else k): v for k, v in state.items()}
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = sorted(f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
                    for k in set(own) & set(state) if tuple(state[k].shape) != tuple(own[k].shape))
    dtypes = sorted(f"{k}: {state[k].dtype} (model {own[k].dtype})"
                    for k in set(own) & set(state) if state[k].dtype != own[k].dtype)
    try:
        model.load_state_dict(state, strict=True)
        ok = True
    except RuntimeError as e:
        ok = False
        error = str(e).splitlines()[0]
    for title, items in (("missing keys", missing), ("unexpected keys", unexpected), ("shape mismatches", shapes),
                         ("dtype differences (load_state_dict converts them)", dtypes)):
        if items:
            print(f"{title} ({len(items)}):")
            for item in items:
                print(f"  {item}")
    if not ok:
        print(f"FAILED: load_state_dict(strict=True) into the authors' ZegCLIP: {error}")
        return 1
    nonfinite = [k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if nonfinite:
        print(f"FAILED: non-finite values in {nonfinite}")
        return 1
    print(f"OK: {path} loads into the authors' ZegCLIP with strict=True ({len(state)} tensors, "
          f"{sum(v.numel() for v in state.values()):,} values)")
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--authors_repo", required=True, help="plain checkout of the authors' ZegCLIP repository")
    parser.add_argument("--out", help="output folder (created)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--images", default=DEFAULT_IMAGES, help=f"NAME:HxW,... (default {DEFAULT_IMAGES})")
    parser.add_argument("--mask_logit_gain", type=float, default=400.0,
                        help="multiplies the decoder's cross-attention logits (see randomize())")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--config", default=CONFIG,
                        help="the authors' config, relative to --authors_repo (VOC ones: the class names are VOC's)")
    parser.add_argument("--check_load", help="only load this checkpoint into the authors' model (strict) and report")
    parser.add_argument("--model_snippet",
                        help="a file holding the `model = dict(...)` that `zegclip export-authors` prints, merged "
                             "into --config's model (for checkpoints of another architecture than ViT-B/16)")
    args = parser.parse_args(argv)

    authors_repo = os.path.abspath(args.authors_repo)
    if not os.path.isfile(os.path.join(authors_repo, "models", "segmentor", "zegclip.py")):
        raise SystemExit(f"{authors_repo}: not a checkout of the authors' ZegCLIP (no models/segmentor/zegclip.py)")
    if not args.check_load and not args.out:
        raise SystemExit("give --out (or --check_load)")
    import_authors(authors_repo)
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    cfg = build_config(authors_repo, args.config)
    if args.model_snippet:
        merge_model_snippet(cfg, args.model_snippet)

    if args.check_load:
        return check_load(cfg, args.check_load)

    images = parse_images(args.images)
    os.makedirs(args.out, exist_ok=True)
    import mmcv.image
    if mmcv.image.cv2 is None:
        kept = [im for im in images if (im[1], im[2]) == (512, 512) or (min(im[1], im[2]) == 512)]
        for im in images:
            if im not in kept:
                print(f"skipping {im[0]} ({im[1]}x{im[2]}): the test resize needs python3-opencv (mmcv resizes "
                      "with cv2, whose uint8 bilinear rounding only cv2 reproduces)")
        images = kept

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    model = build_model(cfg)
    randomize(model, args.seed, args.mask_logit_gain)
    model.eval()
    torch.save({"state_dict": model.state_dict(), "meta": {}}, os.path.join(args.out, "authors.pth"))
    n_values = sum(v.numel() for v in model.state_dict().values())
    print(f"authors.pth: {len(model.state_dict())} tensors, {n_values:,} values (seed {args.seed})")

    from PIL import Image
    class_names = list(cfg.model.class_names)
    seen = list(cfg.model.base_class)
    test_cfg = cfg.model.test_cfg
    summary = {"seed": args.seed, "mask_logit_gain": args.mask_logit_gain, "classes": class_names,
               "seen_classes": seen, "config": args.config,
               "self_training": bool(cfg.model.get("self_training", False)), "crop_size": list(test_cfg.crop_size),
               "stride": list(test_cfg.stride), "images": []}
    for index, (name, h, w) in enumerate(images):
        path = os.path.join(args.out, f"{name}.png")
        Image.fromarray(make_image(h, w, args.seed * 1000 + index)).save(path)
        start = time.time()
        labels, scores, test_hw, ori_hw, n_windows = run_test_path(model, cfg, path)
        wins = windows(test_hw[0], test_hw[1], test_cfg.crop_size, test_cfg.stride)
        assert n_windows == len(wins), (n_windows, wins)
        assert labels.shape == (h, w) and scores.shape == (len(class_names), h, w), (labels.shape, scores.shape)
        # simple_test's labels are argmax(softmax(scores)); softmax is monotone, but in float32 it can merge two
        # scores a few ulps apart into one value (then argmax takes the lower index), so a few near-tie pixels may
        # differ from argmax(scores), which is what a port without the softmax computes.
        not_argmax = int((labels != scores.argmax(0)).sum())
        np.save(os.path.join(args.out, f"{name}_labels.npy"), labels)
        np.save(os.path.join(args.out, f"{name}_scores.npy"), scores.astype(np.float32))
        hist = {class_names[c]: int(n) for c, n in zip(*np.unique(labels, return_counts=True))}
        seen_fraction = float(np.isin(labels, seen).mean())
        sorted_scores = np.sort(scores, axis=0)
        margin = sorted_scores[-1] - sorted_scores[-2]
        print(f"{name}: {h}x{w} -> test {test_hw[0]}x{test_hw[1]}, {len(wins)} window(s) {wins}, "
              f"{time.time() - start:.1f} s")
        print(f"  scores: min {scores.min():.4f} max {scores.max():.4f}; top-2 margin: median {np.median(margin):.2e},"
              f" min {margin.min():.2e}; seen-class pixels {100 * seen_fraction:.1f} %")
        if not_argmax:
            print(f"  {not_argmax} pixel(s) where softmax merged a near tie: label != argmax(scores)")
        if not_argmax > 1e-4 * labels.size:
            raise SystemExit(f"{name}: {not_argmax} labels are not the argmax of the scores")
        print(f"  labels ({len(hist)} classes): " + ", ".join(f"{k} {v}" for k, v in
                                                              sorted(hist.items(), key=lambda kv: -kv[1])))
        if len(hist) < 2:
            raise SystemExit(f"{name}: every pixel has the same label; the test would be degenerate")
        summary["images"].append({"name": name, "height": h, "width": w, "test_height": test_hw[0],
                                  "test_width": test_hw[1], "windows": wins, "histogram": hist,
                                  "seen_fraction": seen_fraction, "labels_not_argmax_of_scores": not_argmax,
                                  "min_margin": float(margin.min()),
                                  "median_margin": float(np.median(margin))})
        assert ori_hw == (h, w)
    with open(os.path.join(args.out, "authors_summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
