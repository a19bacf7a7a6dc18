"""mmseg.datasets.pipelines stand-in: the transforms of the authors' test_pipeline, restated from mmseg 0.24.

    LoadImageFromFile -> MultiScaleFlipAug(img_scale=(2048, 512), flip=False, transforms=[
        Resize(keep_ratio=True, min_size=512), RandomFlip, Normalize(mean, std, to_rgb=True), ImageToTensor(['img']),
        Collect(['img'])])

Resize with min_size (mmseg's option for fixed-input-size models such as SETR/BEiT) ignores the (2048, 512) scale's
long-side cap: the short side becomes max(min(scale), min_size) = 512 and the long side follows the aspect ratio,
then mmcv.imrescale rounds the size (int(x * factor + 0.5)) and resizes the uint8 BGR image with cv2 bilinear.
Compose builds each dict through the PIPELINES registry like mmseg's Compose. LoadAnnotations is only imported.
"""
import os.path as osp

import numpy as np
import torch

import mmcv
from mmcv.utils import build_from_cfg, is_list_of
from .builder import PIPELINES


class Compose:
    def __init__(self, transforms):
        self.transforms = []
        for transform in transforms:
            if isinstance(transform, dict):
                transform = build_from_cfg(transform, PIPELINES)
            elif not callable(transform):
                raise TypeError("transform must be callable or a dict")
            self.transforms.append(transform)

    def __call__(self, data):
        for t in self.transforms:
            data = t(data)
            if data is None:
                return None
        return data


@PIPELINES.register_module()
class LoadImageFromFile:
    """Reads results['img_info']['filename'] under results['img_prefix'] as BGR uint8 (cv2, flag 'color')."""

    def __init__(self, to_float32=False, color_type="color", file_client_args=dict(backend="disk"),
                 imdecode_backend="cv2"):
        assert color_type == "color" and imdecode_backend == "cv2"
        self.to_float32 = to_float32

    def __call__(self, results):
        if results.get("img_prefix") is not None:
            filename = osp.join(results["img_prefix"], results["img_info"]["filename"])
        else:
            filename = results["img_info"]["filename"]
        img = mmcv.imread(filename)
        if self.to_float32:
            img = img.astype(np.float32)
        results["filename"] = filename
        results["ori_filename"] = results["img_info"]["filename"]
        results["img"] = img
        results["img_shape"] = img.shape
        results["ori_shape"] = img.shape
        results["pad_shape"] = img.shape
        results["scale_factor"] = 1.0
        num_channels = 1 if len(img.shape) < 3 else img.shape[2]
        results["img_norm_cfg"] = dict(mean=np.zeros(num_channels, dtype=np.float32),
                                       std=np.ones(num_channels, dtype=np.float32), to_rgb=False)
        return results


@PIPELINES.register_module()
class LoadAnnotations:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("annotations are not part of this harness")


@PIPELINES.register_module()
class MultiScaleFlipAug:
    def __init__(self, transforms, img_scale, img_ratios=None, flip=False, flip_direction="horizontal"):
        self.transforms = Compose(transforms)
        if img_ratios is not None:
            img_ratios = img_ratios if isinstance(img_ratios, list) else [img_ratios]
            assert is_list_of(img_ratios, float)
        if img_scale is None:
            self.img_scale = None
            assert is_list_of(img_ratios, float)
        elif isinstance(img_scale, tuple) and is_list_of(img_ratios, float):
            assert len(img_scale) == 2
            self.img_scale = [(int(img_scale[0] * ratio), int(img_scale[1] * ratio)) for ratio in img_ratios]
        else:
            self.img_scale = img_scale if isinstance(img_scale, list) else [img_scale]
        assert is_list_of(self.img_scale, tuple) or self.img_scale is None
        self.flip = flip
        self.img_ratios = img_ratios
        self.flip_direction = flip_direction if isinstance(flip_direction, list) else [flip_direction]

    def __call__(self, results):
        aug_data = []
        if self.img_scale is None and is_list_of(self.img_ratios, float):
            h, w = results["img"].shape[:2]
            img_scale = [(int(w * ratio), int(h * ratio)) for ratio in self.img_ratios]
        else:
            img_scale = self.img_scale
        flip_aug = [False, True] if self.flip else [False]
        for scale in img_scale:
            for flip in flip_aug:
                for direction in self.flip_direction:
                    _results = results.copy()
                    _results["scale"] = scale
                    _results["flip"] = flip
                    _results["flip_direction"] = direction
                    aug_data.append(self.transforms(_results))
        aug_data_dict = {key: [] for key in aug_data[0]}
        for data in aug_data:
            for key, val in data.items():
                aug_data_dict[key].append(val)
        return aug_data_dict


@PIPELINES.register_module()
class Resize:
    """Test-time use only: the scale comes from MultiScaleFlipAug (results['scale']); no ratio_range sampling."""

    def __init__(self, img_scale=None, multiscale_mode="range", ratio_range=None, keep_ratio=True, min_size=None):
        if img_scale is not None or ratio_range is not None:
            raise NotImplementedError("Resize scale sampling (training) is not restated by this stand-in")
        self.img_scale = None
        self.keep_ratio = keep_ratio
        self.min_size = min_size

    def _resize_img(self, results):
        if self.keep_ratio:
            if self.min_size is not None:
                if min(results["scale"]) < self.min_size:
                    new_short = self.min_size
                else:
                    new_short = min(results["scale"])
                h, w = results["img"].shape[:2]
                if h > w:
                    new_h, new_w = new_short * h / w, new_short
                else:
                    new_h, new_w = new_short, new_short * w / h
                results["scale"] = (new_h, new_w)
            img, scale_factor = mmcv.imrescale(results["img"], results["scale"], return_scale=True)
            new_h, new_w = img.shape[:2]
            h, w = results["img"].shape[:2]
            w_scale = new_w / w
            h_scale = new_h / h
        else:
            img, w_scale, h_scale = mmcv.imresize(results["img"], results["scale"], return_scale=True)
        results["img"] = img
        results["img_shape"] = img.shape
        results["pad_shape"] = img.shape
        results["scale_factor"] = np.array([w_scale, h_scale, w_scale, h_scale], dtype=np.float32)
        results["keep_ratio"] = self.keep_ratio

    def __call__(self, results):
        if "scale" not in results:
            raise NotImplementedError("Resize without a given scale (training) is not restated by this stand-in")
        self._resize_img(results)
        return results  # no seg maps on this path


@PIPELINES.register_module()
class RandomFlip:
    def __init__(self, prob=None, direction="horizontal"):
        self.prob = prob
        self.direction = direction

    def __call__(self, results):
        if "flip" not in results:
            results["flip"] = bool(self.prob is not None and np.random.rand() < self.prob)
        if "flip_direction" not in results:
            results["flip_direction"] = self.direction
        if results["flip"]:
            axis = 1 if results["flip_direction"] == "horizontal" else 0
            results["img"] = np.ascontiguousarray(np.flip(results["img"], axis=axis))
        return results


@PIPELINES.register_module()
class Normalize:
    def __init__(self, mean, std, to_rgb=True):
        self.mean = np.array(mean, dtype=np.float32)
        self.std = np.array(std, dtype=np.float32)
        self.to_rgb = to_rgb

    def __call__(self, results):
        results["img"] = mmcv.imnormalize(results["img"], self.mean, self.std, self.to_rgb)
        results["img_norm_cfg"] = dict(mean=self.mean, std=self.std, to_rgb=self.to_rgb)
        return results


@PIPELINES.register_module()
class ImageToTensor:
    def __init__(self, keys):
        self.keys = keys

    def __call__(self, results):
        for key in self.keys:
            img = results[key]
            if len(img.shape) < 3:
                img = np.expand_dims(img, -1)
            results[key] = torch.from_numpy(img.transpose(2, 0, 1))
        return results


@PIPELINES.register_module()
class Collect:
    """Keeps `keys` and gathers meta_keys into results['img_metas'] (mmcv's DataContainer is just the dict here)."""

    def __init__(self, keys, meta_keys=("filename", "ori_filename", "ori_shape", "img_shape", "pad_shape",
                                        "scale_factor", "flip", "flip_direction", "img_norm_cfg")):
        self.keys = keys
        self.meta_keys = meta_keys

    def __call__(self, results):
        data = {"img_metas": {key: results[key] for key in self.meta_keys}}
        for key in self.keys:
            data[key] = results[key]
        return data
