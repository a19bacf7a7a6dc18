"""mmcv.runner stand-in: BaseModule and the fp16 decorators.

BaseModule.init_weights is mmcv 1.4.4's recursion without its bookkeeping (the per-parameter init log): apply this
module's init_cfg, then call init_weights() on every direct child that has one, once. In ZegCLIP that is what makes
`model.init_weights()` (train.py) reach the backbone's, the text encoder's and ATMSingleHeadSeg's own init_weights.
mmcv's initializers (init_cfg types Normal/Xavier/Pretrained/...) are not restated: no module on the ZegCLIP path
reaches one (BaseDecodeHead's init_cfg targets conv_seg, which ATMSingleHeadSeg deletes and whose init_weights it
overrides), so a non-empty init_cfg reaching here is an error.
"""
import functools

import torch.nn as nn


class BaseModule(nn.Module):
    def __init__(self, init_cfg=None):
        super().__init__()
        self._is_init = False
        self.init_cfg = init_cfg

    @property
    def is_init(self):
        return self._is_init

    def init_weights(self):
        if self._is_init:
            return
        if self.init_cfg:
            raise NotImplementedError(f"{type(self).__name__}: init_cfg {self.init_cfg} needs mmcv's initializers, "
                                      "which this stand-in does not restate")
        for m in self.children():
            if hasattr(m, "init_weights"):
                m.init_weights()
        self._is_init = True


def auto_fp16(apply_to=None, out_fp32=False):
    """No-op: mmcv casts to fp16 only when fp16_enabled is set by wrap_fp16_model, which the test path never does."""
    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return fn(*args, **kwargs)
        return wrapper
    return decorator


def force_fp32(apply_to=None, out_fp16=False):
    """No-op for the same reason as auto_fp16 (everything here is fp32 already)."""
    return auto_fp16(apply_to, out_fp16)
