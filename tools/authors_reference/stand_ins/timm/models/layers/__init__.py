from . import drop  # noqa: F401  (the authors import the submodule itself: `from timm.models.layers import drop`)
from .drop import DropPath, drop_path  # noqa: F401
from .weight_init import trunc_normal_  # noqa: F401
