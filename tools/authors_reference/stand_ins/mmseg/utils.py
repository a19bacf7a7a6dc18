"""mmseg.utils stand-in: get_root_logger (imported by the authors' dataset file)."""
import logging


def get_root_logger(log_file=None, log_level=logging.INFO):
    logger = logging.getLogger("mmseg")
    logger.setLevel(log_level)
    return logger
