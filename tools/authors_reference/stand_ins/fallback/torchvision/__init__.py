"""Fallback torchvision (see ../README): only _is_tracing, for models/losses/misc.py."""
import torch


def _is_tracing():
    return torch._C._get_tracing_state() is not None
