from .decode_head import BaseDecodeHead  # noqa: F401
