"""ZegCLIP in plain PyTorch eager, built the way the authors' released code builds it: the reference whose speed
the C++ benchmarks are compared against (benchmarks/reference/zegclip_reference.py runs it).

Structure as in the released code (written anew here, nothing copied):
  - CLIP image tower with OpenAI's ResidualAttentionBlock: nn.MultiheadAttention in sequence-first (L, N, D) layout,
    fp32-casting LayerNorm, QuickGELU MLP; the positional embedding interpolated on every forward; the class
    embedding added to the CLS token twice; VPT-deep prompts (prompt_proj + dropout before every block,
    prompt_norm after the last, and the unused prompt_norm of block 10 the released loop also computes).
  - The CLIP text tower is built (the released model holds it) but not run: text embeddings are precomputed.
  - Relationship descriptor: q_proj([g * t ; t]).
  - Decoder: nn.TransformerDecoderLayer subclasses whose multihead_attn is replaced by a q/k/v cross-attention that
    also returns the head-averaged pre-softmax scores (the masks); their unused self_attn is kept, as theirs.
  - Training loss: focal (on every class mask) + dice (on present classes), built per image like their criterion.

The "sdpa" variant (PyTorch >= 2.0) runs the same weights with F.scaled_dot_product_attention called directly.

Example:
  model = ZegClipReference(vision_config(tiny=False), prompt_tokens=10).eval()
  logits = model.logits(images, text)          # (B, C, H, W)
"""
import math
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn


def has_sdpa():
    return hasattr(F, "scaled_dot_product_attention")


def vision_config(tiny):
    """Shapes of ViT-B/16 at 512 (or the tiny stand-in the C++ benchmarks' --tiny uses)."""
    if tiny:
        return dict(resolution=64, patch=16, width=64, layers=2, heads=2, embed_dim=32, context=16, vocab=100,
                    text_width=32, text_heads=2, text_layers=1, decoder_layers=2, decoder_heads=4)
    return dict(resolution=512, patch=16, width=768, layers=12, heads=12, embed_dim=512, context=77, vocab=49408,
                text_width=512, text_heads=8, text_layers=12, decoder_layers=3, decoder_heads=8)


class LayerNorm(nn.LayerNorm):
    """CLIP's LayerNorm: computes in fp32 and returns the input's dtype."""

    def forward(self, x):
        return super().forward(x.type(torch.float32)).type(x.dtype)


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


def fused_self_attention(mha, x, causal):
    """nn.MultiheadAttention's weights applied through F.scaled_dot_product_attention; x is (L, N, D)."""
    length, batch, dim = x.shape
    heads = mha.num_heads
    qkv = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).view(length, batch, 3, heads, dim // heads)
    q, k, v = qkv.permute(2, 1, 3, 0, 4).unbind(0)  # each (N, heads, L, head_dim)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    out = out.permute(2, 0, 1, 3).reshape(length, batch, dim)
    return F.linear(out, mha.out_proj.weight, mha.out_proj.bias)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads, causal_length=0):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, width * 4)), ("gelu", QuickGELU()), ("c_proj", nn.Linear(width * 4, width))]))
        self.ln_2 = LayerNorm(width)
        self.attn_mask = None
        if causal_length:
            self.attn_mask = torch.full((causal_length, causal_length), float("-inf")).triu_(1)
        self.fused = False

    def attention(self, x):
        if self.fused:
            return fused_self_attention(self.attn, x, self.attn_mask is not None)
        mask = None if self.attn_mask is None else self.attn_mask.to(dtype=x.dtype, device=x.device)
        return self.attn(x, x, x, need_weights=False, attn_mask=mask)[0]

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, causal_length=0):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, causal_length) for _ in range(layers)])


class PromptedVisionTransformer(nn.Module):
    """CLIP ViT with VPT-deep prompts, returning L2-normalised patch (B, D, h, w) and global (B, D) embeddings."""

    def __init__(self, cfg, prompt_tokens, dropout=0.1):
        super().__init__()
        width, patch = cfg["width"], cfg["patch"]
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        scale = width ** -0.5
        self.spatial_size = cfg["resolution"] // patch
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(self.spatial_size ** 2 + 1, width))
        self.ln_pre = LayerNorm(width)
        self.transformer = Transformer(width, cfg["layers"], cfg["heads"])
        self.ln_post = LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, cfg["embed_dim"]))
        self.num_layers = cfg["layers"]
        self.num_tokens = prompt_tokens
        bound = math.sqrt(6.0 / float(3 * patch * patch + width))
        self.prompt_embeddings = nn.Parameter(torch.empty(1, prompt_tokens, width).uniform_(-bound, bound))
        self.deep_prompt_embeddings = nn.Parameter(
            torch.empty(cfg["layers"] - 1, prompt_tokens, width).uniform_(-bound, bound))
        self.prompt_proj = nn.Linear(width, width)
        nn.init.kaiming_normal_(self.prompt_proj.weight, a=0, mode="fan_out")
        self.prompt_norm = LayerNorm(width, eps=1e-6)
        self.prompt_dropout = nn.Dropout(dropout)

    def embed(self, x):
        x = self.conv1(x)
        batch, channels, h, w = x.shape
        x = x.reshape(batch, channels, -1).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(batch, 1, channels, dtype=x.dtype, device=x.device)
        x = torch.cat([cls, x], dim=1)
        pos = self.positional_embedding.to(x.dtype)
        cls_pos = pos[0, :] + self.class_embedding.to(x.dtype)
        grid = pos[1:].reshape(1, self.spatial_size, self.spatial_size, channels).permute(0, 3, 1, 2)
        spatial = F.interpolate(grid, size=(h, w), mode="bilinear").reshape(1, channels, h * w).permute(0, 2, 1)
        x = self.ln_pre(x + torch.cat([cls_pos.reshape(1, 1, channels), spatial], dim=1))
        prompts = self.prompt_dropout(self.prompt_proj(self.prompt_embeddings).expand(batch, -1, -1))
        return torch.cat([x[:, :1], prompts, x[:, 1:]], dim=1), h, w

    def run_blocks(self, x, hw):
        batch = x.shape[1]
        for i, block in enumerate(self.transformer.resblocks):
            if 1 <= i <= self.deep_prompt_embeddings.shape[0]:
                deep = self.prompt_proj(self.deep_prompt_embeddings[i - 1]).expand(batch, -1, -1)
                deep = self.prompt_dropout(deep).permute(1, 0, 2)
                x = torch.cat([x[:1], deep, x[1 + self.num_tokens:]], dim=0)
            elif i > 0:
                x = torch.cat([x[:1], x[-hw:]], dim=0)
            x = block(x)
            if i == self.num_layers - 2:
                _unused = self.prompt_norm(x)  # the released loop computes this every forward and never uses it
        return self.prompt_norm(x)

    def forward(self, images):
        x, h, w = self.embed(images)
        x = self.run_blocks(x.permute(1, 0, 2), h * w).permute(1, 0, 2)
        x = self.ln_post(x) @ self.proj
        batch = x.shape[0]
        global_embedding = x[:, 0]
        patches = x[:, -(h * w):].reshape(batch, h, w, -1).permute(0, 3, 1, 2)
        patches = patches / patches.norm(dim=1, keepdim=True)
        return patches, global_embedding / global_embedding.norm(dim=1, keepdim=True)


class TextTransformer(nn.Module):
    """CLIP's text tower: held by the model (memory), never run by the benchmarks."""

    def __init__(self, cfg):
        super().__init__()
        self.token_embedding = nn.Embedding(cfg["vocab"], cfg["text_width"])
        self.positional_embedding = nn.Parameter(torch.empty(cfg["context"], cfg["text_width"]).normal_(std=0.01))
        self.transformer = Transformer(cfg["text_width"], cfg["text_layers"], cfg["text_heads"], cfg["context"])
        self.ln_final = LayerNorm(cfg["text_width"])
        self.text_projection = nn.Parameter(torch.empty(cfg["text_width"], cfg["embed_dim"]).normal_(std=0.02))


class MaskAttention(nn.Module):
    """Cross-attention that also returns the head-averaged pre-softmax scores (B, Nq, Nk): the mask logits."""

    def __init__(self, dim, heads, attn_drop=0.1):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(0.0)

    def forward(self, xq, xk, xv):
        batch, nq, dim = xq.shape
        nk = xk.shape[1]
        q = self.q(xq).reshape(batch, nq, self.heads, dim // self.heads).permute(0, 2, 1, 3)
        k = self.k(xk).reshape(batch, nk, self.heads, dim // self.heads).permute(0, 2, 1, 3)
        v = self.v(xv).reshape(batch, nk, self.heads, dim // self.heads).permute(0, 2, 1, 3)
        scores = (q @ k.transpose(-2, -1)) * self.scale
        masks = scores.clone()
        weights = self.attn_drop(scores.softmax(dim=-1))
        x = self.proj_drop(self.proj((weights @ v).transpose(1, 2).reshape(batch, nq, dim)))
        return x.transpose(0, 1), masks.sum(dim=1) / self.heads


class MaskDecoderLayer(nn.TransformerDecoderLayer):
    """Post-norm layer: cross-attention (mask scores out) + FFN; the inherited self_attn stays unused."""

    def __init__(self, dim, heads):
        super().__init__(d_model=dim, nhead=heads, dim_feedforward=dim * 4)
        del self.multihead_attn
        self.multihead_attn = MaskAttention(dim, heads)

    def forward(self, tgt, memory):
        out, masks = self.multihead_attn(tgt.transpose(0, 1), memory.transpose(0, 1), memory.transpose(0, 1))
        tgt = self.norm2(tgt + self.dropout2(out))
        tgt = self.norm3(tgt + self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(tgt))))))
        return tgt, masks


class TextQueryHead(nn.Module):
    def __init__(self, dim, heads, layers, image_size):
        super().__init__()
        self.image_size = image_size
        self.layers = nn.ModuleList([MaskDecoderLayer(dim, heads) for _ in range(layers)])
        self.q_proj = nn.Linear(dim * 2, dim)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                nn.init.zeros_(module.bias)

    @staticmethod
    def queries(text, global_embedding):
        """Relationship descriptor input: [g * t ; t] per image and class, (B, C, 2D)."""
        t = text.expand(global_embedding.shape[0], -1, -1)
        return torch.cat([torch.einsum("bd,bcd->bcd", global_embedding, t), t], dim=-1)

    def forward(self, patches, global_embedding, text):
        memory = patches.flatten(-2).transpose(-1, -2).transpose(0, 1)  # (HW, B, D)
        q = self.q_proj(self.queries(text, global_embedding)).transpose(0, 1)  # (C, B, D)
        masks = []
        for layer in self.layers:
            q, scores = layer(q, memory)
            side = int(math.sqrt(scores.shape[-1]))
            masks.append(scores.reshape(scores.shape[0], scores.shape[1], side, side))
        size = masks[-1].shape[-2:]
        masks = [F.interpolate(m, size=size, mode="bilinear", align_corners=False) for m in masks]
        return F.interpolate(masks[-1], size=(self.image_size, self.image_size), mode="bilinear",
                             align_corners=False)


class ZegClipReference(nn.Module):
    def __init__(self, cfg, prompt_tokens):
        super().__init__()
        self.backbone = PromptedVisionTransformer(cfg, prompt_tokens)
        self.text_encoder = TextTransformer(cfg)
        self.decode_head = TextQueryHead(cfg["embed_dim"], cfg["decoder_heads"], cfg["decoder_layers"],
                                         cfg["resolution"])

    def set_fused_attention(self, fused):
        for module in self.modules():
            if isinstance(module, ResidualAttentionBlock):
                module.fused = fused

    def freeze_like_the_authors(self):
        """Trainable: prompt parameters of the image tower and the whole head."""
        for name, p in self.backbone.named_parameters():
            p.requires_grad_("prompt" in name)
        for p in self.text_encoder.parameters():
            p.requires_grad_(False)
        return [p for p in self.parameters() if p.requires_grad]

    def logits(self, images, text):
        """Mask logits of the last decoder layer at the input size (B, C, H, W)."""
        patches, global_embedding = self.backbone(images)
        pred = self.decode_head(patches, global_embedding, text)
        if pred.shape[-2:] != images.shape[-2:]:
            pred = F.interpolate(pred, size=images.shape[-2:], mode="bilinear", align_corners=False)
        return pred


def slide_logits(model, images, text, crop, stride):
    """The released slide_inference: every window's logits padded to the image and summed, divided by counts."""
    batch, _, height, width = images.shape
    rows = max(height - crop + stride - 1, 0) // stride + 1
    cols = max(width - crop + stride - 1, 0) // stride + 1
    preds = images.new_zeros((batch, text.shape[0], height, width))
    count = images.new_zeros((batch, 1, height, width))
    for r in range(rows):
        for c in range(cols):
            y2, x2 = min(r * stride + crop, height), min(c * stride + crop, width)
            y1, x1 = max(y2 - crop, 0), max(x2 - crop, 0)
            logits = model.logits(images[:, :, y1:y2, x1:x2], text)
            preds += F.pad(logits, (x1, width - x2, y1, height - y2))
            count[:, :, y1:y2, x1:x2] += 1
    return preds / count


def authors_style_loss(pred, labels, ignore_index=255, focal_weight=100.0, dice_weight=1.0):
    """NEL as the released criterion computes it: per-image class lists and masks, a dense one-hot target for the
    focal term over every class mask, dice over the present (image, class) pairs, both / num_masks."""
    batch, classes, height, width = pred.shape
    present, dice_masks = [], []
    target = torch.zeros(batch, classes, height * width, device=pred.device)
    for i in range(batch):
        label = labels[i]
        cls = label.unique()
        cls = cls[cls != ignore_index]
        present.append(cls)
        dice_masks.append(torch.stack([label == c for c in cls]) if len(cls) else label.new_zeros(0, height, width))
        flat = label.reshape(-1)
        keep = flat != ignore_index
        target[i, flat[keep], torch.arange(height * width, device=pred.device)[keep]] = 1
    num_masks = max(float(sum(len(c) for c in present)), 1.0)
    src = F.interpolate(pred.reshape(batch * classes, 1, height, width), size=(height, width), mode="bilinear",
                        align_corners=False).flatten(1)
    tgt = target.reshape(batch * classes, -1)
    ce = F.binary_cross_entropy_with_logits(src, tgt, reduction="none")
    prob = src.sigmoid()
    p_t = prob * tgt + (1 - prob) * (1 - tgt)
    focal = (ce * (1 - p_t) ** 2 * (0.25 * tgt + 0.75 * (1 - tgt))).mean(1).sum() / num_masks
    batch_idx = torch.cat([torch.full_like(c, i) for i, c in enumerate(present)])
    chosen = pred[batch_idx, torch.cat(present)].flatten(1).sigmoid()
    dice_tgt = torch.cat(dice_masks).to(chosen.dtype).flatten(1)
    dice = (1 - (2 * (chosen * dice_tgt).sum(-1) + 1) / (chosen.sum(-1) + dice_tgt.sum(-1) + 1)).sum() / num_masks
    return focal_weight * focal + dice_weight * dice
