"""mmseg.datasets stand-in: registries, CustomDataset (as a base class only) and the test pipeline."""
from .builder import DATASETS, PIPELINES  # noqa: F401
from .custom import CustomDataset  # noqa: F401
from .pipelines import Compose  # noqa: F401
