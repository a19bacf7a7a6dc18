"""Stand-in for mmcv-full 1.4.4, the version the authors pin (README: mmcv-full==1.4.4, mmsegmentation==0.24.0).

Only what the authors' `models/` package (and the config files it is built from) reaches is restated here:
  mmcv.Config / ConfigDict   (mmcv.utils)   reading configs/voc12/*.py with `_base_` inheritance
  mmcv.Registry              (mmcv.utils)   the @BACKBONES/@HEADS/... .register_module() decorators + build_from_cfg
  mmcv.runner                               BaseModule (init_weights recursion), auto_fp16 / force_fp32 (no-ops)
  mmcv.cnn.ConvModule                       imported by decode_seg.py, never instantiated
  mmcv.imread / imrescale / imresize / imnormalize (mmcv.image)   the test pipeline's image operations
Everything else mmcv offers is absent on purpose: a missing name fails loudly instead of being guessed.
"""
from .utils import Config, ConfigDict, Registry, build_from_cfg, is_list_of, print_log  # noqa: F401
from .image import imnormalize, imread, imrescale, imresize, rescale_size  # noqa: F401

__version__ = "1.4.4-stand-in"
