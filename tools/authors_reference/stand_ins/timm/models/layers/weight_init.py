"""timm.models.layers.weight_init.trunc_normal_ (timm 0.3.2): uniform in [2l-1, 2u-1], erfinv, scale by std*sqrt(2),
shift by mean, clamp to [a, b]. torch.nn.init.trunc_normal_ (torch >= 1.7) is the same algorithm, so it is used."""
import torch


def trunc_normal_(tensor, mean=0., std=1., a=-2., b=2.):
    return torch.nn.init.trunc_normal_(tensor, mean=mean, std=std, a=a, b=b)
