from .base import BaseSegmentor  # noqa: F401
from .encoder_decoder import EncoderDecoder  # noqa: F401
