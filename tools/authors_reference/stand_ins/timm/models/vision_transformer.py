"""timm.models.vision_transformer: imported by models/backbone/utils.py, never built for ZegCLIP."""


class VisionTransformer:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("timm VisionTransformer is not restated by this stand-in")
