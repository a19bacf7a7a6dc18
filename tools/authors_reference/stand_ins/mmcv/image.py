"""mmcv.image stand-in: the image operations of mmseg's test pipeline, restated from mmcv 1.4.4 (backend cv2).

imresize with cv2 on uint8 input is OpenCV's fixed-point bilinear, whose rounding a float resize would not
reproduce; so without cv2 only the identity resize is allowed (imresize raises otherwise).
"""
import numpy as np

try:
    import cv2
except ImportError:  # python3-opencv missing: PIL reads, numpy normalizes, no resizing
    cv2 = None


def imread(path):
    """mmcv.imread(path, flag='color') with the cv2 backend: H x W x 3 uint8, BGR."""
    if cv2 is not None:
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            raise IOError(f"{path}: cannot read")
        return img
    from PIL import Image
    return np.ascontiguousarray(np.asarray(Image.open(path).convert("RGB"))[:, :, ::-1])


def _scale_size(size, scale):
    if isinstance(scale, (float, int)):
        scale = (scale, scale)
    w, h = size
    return int(w * float(scale[0]) + 0.5), int(h * float(scale[1]) + 0.5)


def rescale_size(old_size, scale, return_scale=False):
    """mmcv.rescale_size: (w, h) scaled so that the long edge <= max(scale) and the short edge <= min(scale)."""
    w, h = old_size
    if isinstance(scale, (float, int)):
        if scale <= 0:
            raise ValueError(f"Invalid scale {scale}, must be positive.")
        scale_factor = scale
    elif isinstance(scale, tuple):
        max_long_edge = max(scale)
        max_short_edge = min(scale)
        scale_factor = min(max_long_edge / max(h, w), max_short_edge / min(h, w))
    else:
        raise TypeError(f"Scale must be a number or tuple of int, but got {type(scale)}")
    new_size = _scale_size((w, h), scale_factor)
    return (new_size, scale_factor) if return_scale else new_size


def imresize(img, size, return_scale=False, interpolation="bilinear"):
    """mmcv.imresize, backend cv2: cv2.resize(img, (w, h), interpolation=INTER_LINEAR)."""
    h, w = img.shape[:2]
    if cv2 is not None:
        codes = {"nearest": cv2.INTER_NEAREST, "bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC,
                 "area": cv2.INTER_AREA, "lanczos": cv2.INTER_LANCZOS4}
        resized = cv2.resize(img, size, interpolation=codes[interpolation])
    elif tuple(size) == (w, h):
        resized = img.copy()  # cv2.resize to the same size returns the pixels unchanged
    else:
        raise RuntimeError("resizing needs python3-opencv (mmcv resizes with cv2; its uint8 rounding is cv2's)")
    if not return_scale:
        return resized
    return resized, size[0] / w, size[1] / h


def imrescale(img, scale, return_scale=False, interpolation="bilinear"):
    """mmcv.imrescale: keep the aspect ratio, size from rescale_size."""
    h, w = img.shape[:2]
    new_size, scale_factor = rescale_size((w, h), scale, return_scale=True)
    rescaled = imresize(img, new_size, interpolation=interpolation)
    return (rescaled, scale_factor) if return_scale else rescaled


def imnormalize(img, mean, std, to_rgb=True):
    """mmcv.imnormalize: float32 copy, BGR->RGB, subtract mean, multiply by 1/std (float64), in cv2 as mmcv does."""
    img = img.copy().astype(np.float32)
    mean = np.float64(np.asarray(mean).reshape(1, -1))
    stdinv = 1 / np.float64(np.asarray(std).reshape(1, -1))
    if cv2 is not None:
        if to_rgb:
            cv2.cvtColor(img, cv2.COLOR_BGR2RGB, img)
        cv2.subtract(img, mean, img)
        cv2.multiply(img, stdinv, img)
        return img
    if to_rgb:
        img = np.ascontiguousarray(img[:, :, ::-1])
    return ((img - mean) * stdinv).astype(np.float32)
