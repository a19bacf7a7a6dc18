"""mmseg.models.decode_heads.decode_head (0.24) stand-in: BaseDecodeHead.__init__, which ATMSingleHeadSeg calls.

It matters beyond its attributes: it builds `loss_decode` (the authors' SegLossPlus, whose criterion registers the
buffer `empty_weight`, so `decode_head.loss_decode.criterion.empty_weight` is part of every ZegCLIP state_dict),
creates conv_seg (which ATMSingleHeadSeg deletes) and sets align_corners=False, which EncoderDecoder copies for
every resize on the test path. forward_test / cls_seg / losses of the base class are overridden by the authors' head
or only used in training, and are not restated.
"""
from abc import ABCMeta

import torch.nn as nn

from mmcv.runner import BaseModule
from ..builder import build_loss


class BaseDecodeHead(BaseModule, metaclass=ABCMeta):
    def __init__(self, in_channels, channels, *, num_classes, dropout_ratio=0.1, conv_cfg=None, norm_cfg=None,
                 act_cfg=dict(type="ReLU"), in_index=-1, input_transform=None,
                 loss_decode=dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=1.0), ignore_index=255,
                 sampler=None, align_corners=False,
                 init_cfg=dict(type="Normal", std=0.01, override=dict(name="conv_seg"))):
        super().__init__(init_cfg)
        self._init_inputs(in_channels, in_index, input_transform)
        self.channels = channels
        self.num_classes = num_classes
        self.dropout_ratio = dropout_ratio
        self.conv_cfg = conv_cfg
        self.norm_cfg = norm_cfg
        self.act_cfg = act_cfg
        self.in_index = in_index
        self.ignore_index = ignore_index
        self.align_corners = align_corners

        if isinstance(loss_decode, dict):
            self.loss_decode = build_loss(loss_decode)
        elif isinstance(loss_decode, (list, tuple)):
            self.loss_decode = nn.ModuleList()
            for loss in loss_decode:
                self.loss_decode.append(build_loss(loss))
        else:
            raise TypeError(f"loss_decode must be a dict or sequence of dict, but got {type(loss_decode)}")

        if sampler is not None:
            raise NotImplementedError("pixel samplers are not restated by this stand-in")
        self.sampler = None

        self.conv_seg = nn.Conv2d(channels, num_classes, kernel_size=1)
        if dropout_ratio > 0:
            self.dropout = nn.Dropout2d(dropout_ratio)
        else:
            self.dropout = None
        self.fp16_enabled = False

    def _init_inputs(self, in_channels, in_index, input_transform):
        if input_transform is not None:
            raise NotImplementedError("input_transform is not restated by this stand-in")
        self.input_transform = input_transform
        self.in_index = in_index
        assert isinstance(in_channels, int)
        assert isinstance(in_index, int)
        self.in_channels = in_channels
