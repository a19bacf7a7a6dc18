"""Stand-in for mmsegmentation 0.24.0 (the version the authors pin), restating only what their `models/` reach:

  mmseg.models.builder        one shared MODELS registry (BACKBONES = HEADS = LOSSES = SEGMENTORS = ...) + build_*
  mmseg.models.segmentors     BaseSegmentor (forward -> forward_test -> simple_test) and EncoderDecoder's
                              __init__ / inference / simple_test / whole_inference / slide_inference / aug_test
  mmseg.models.decode_heads   BaseDecodeHead.__init__ (loss_decode, conv_seg, dropout, align_corners, ...)
  mmseg.models.losses         accuracy (used by the head's training loss only)
  mmseg.models.backbones      ResNet / VisionTransformer: imported by the authors' backbone files, never built
  mmseg.ops                   resize (F.interpolate with mmseg's align_corners warning), Upsample
  mmseg.core                  add_prefix; the evaluation functions the dataset file imports (not restated)
  mmseg.datasets              DATASETS registry, CustomDataset (so ZeroPascalVOCDataset20 and its CLASSES import),
                              the test pipeline (pipelines.py: LoadImageFromFile, MultiScaleFlipAug, Resize, RandomFlip,
                              Normalize, ImageToTensor, Collect)
  mmseg.utils                 get_root_logger
"""
__version__ = "0.24.0-stand-in"
