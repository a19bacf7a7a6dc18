"""Fallback prettytable (see ../README): importable, not usable."""


class PrettyTable:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("prettytable is not installed (only the authors' evaluation table needs it)")
