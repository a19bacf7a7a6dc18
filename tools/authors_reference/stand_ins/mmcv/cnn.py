"""mmcv.cnn stand-in: decode_seg.py imports ConvModule but never builds one; building it is an error here."""


class ConvModule:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("mmcv.cnn.ConvModule is not on the ZegCLIP path and is not restated")
