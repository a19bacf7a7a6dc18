"""timm.models.layers.drop: drop_path / DropPath (stochastic depth), timm 0.3.2."""
import torch
import torch.nn as nn


def drop_path(x, drop_prob: float = 0., training: bool = False):
    """Identity unless training; in training keeps each sample's residual branch with probability 1 - drop_prob."""
    if drop_prob == 0. or not training:
        return x
    keep_prob = 1 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    random_tensor = keep_prob + torch.rand(shape, dtype=x.dtype, device=x.device)
    random_tensor.floor_()
    return x.div(keep_prob) * random_tensor


class DropPath(nn.Module):
    def __init__(self, drop_prob=None):
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x):
        return drop_path(x, self.drop_prob, self.training)
