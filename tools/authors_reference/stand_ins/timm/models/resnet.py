"""timm.models.resnet: imported by the authors' backbone files, never built for ZegCLIP ViT."""


class ResNet:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("timm ResNet is not restated by this stand-in")


class Bottleneck:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("timm Bottleneck is not restated by this stand-in")
