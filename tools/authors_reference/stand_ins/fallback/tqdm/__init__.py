"""Fallback tqdm (see ../README): models/segmentor/zegclip.py imports tqdm without using it."""


def tqdm(iterable=None, *args, **kwargs):
    return iterable
