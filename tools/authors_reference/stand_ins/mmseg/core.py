"""mmseg.core stand-in: add_prefix (ZegCLIP's training losses) and the names the authors' dataset file imports.

The mIoU functions belong to evaluation, which this harness does not do: importing them works, calling them fails.
"""


def add_prefix(inputs, prefix):
    return {f"{prefix}.{name}": value for name, value in inputs.items()}


def _not_restated(name):
    def fn(*args, **kwargs):
        raise NotImplementedError(f"mmseg.core.{name} (evaluation) is not restated by this stand-in")
    fn.__name__ = name
    return fn


eval_metrics = _not_restated("eval_metrics")
intersect_and_union = _not_restated("intersect_and_union")
pre_eval_to_metrics = _not_restated("pre_eval_to_metrics")
