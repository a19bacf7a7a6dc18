"""Stand-in for timm 0.3.2 (the version the authors pin). Their files import:
  timm.models.layers: drop (the module), drop_path, trunc_normal_   DropPath in every CLIP block (drop_path_rate=0.1,
                      identity in eval), trunc_normal_ for the head's init
  timm.models.resnet: ResNet, Bottleneck; timm.models.vision_transformer: VisionTransformer   imported, never built
"""
__version__ = "0.3.2-stand-in"
