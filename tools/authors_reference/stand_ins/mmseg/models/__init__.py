"""mmseg.models stand-in: the builder, and the framework classes the authors subclass (imported for registration)."""
from . import backbones, builder, decode_heads, losses, segmentors  # noqa: F401
from .builder import (BACKBONES, HEADS, LOSSES, NECKS, SEGMENTORS, build_backbone, build_head,  # noqa: F401
                      build_loss, build_neck, build_segmentor)
