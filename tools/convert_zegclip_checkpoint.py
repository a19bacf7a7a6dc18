#!/usr/bin/env python3
"""Converts the authors' released ZegCLIP checkpoint (an mmseg `.pth`) into a plain tensor archive for C++.

The mmseg file pickles more than tensors: `meta` holds mmcv / numpy objects (config, class names, palette, hook
messages) and `optimizer` holds the optimizer state, which a C++ unpickler cannot rebuild. This script unpickles it
with plain torch (no mmcv / mmseg needed: classes whose modules are not installed are replaced by inert stand-ins),
keeps the model's `state_dict` (strips a DataParallel `module.` prefix if present) and writes it as
`torch.save({name: tensor})` — a zip archive that zegclip/base/tensor_archive.h reads without Python. The names
stay the authors' (`backbone.*`, `text_encoder.*`, `decode_head.*`); zegclip/model/authors_checkpoint.h maps them.
Tensors keep their dtype (`--dtype=keep`, the default: a float16 release stays float16 on disk, and the C++ import
converts it to the model's dtype on load); `--dtype=float16|bfloat16|float32` converts the floating-point tensors.

Usage (Debian: apt-get install python3-torch):
    /usr/bin/python3 tools/convert_zegclip_checkpoint.py voc_inductive_512_vit_base.pth voc.tensors
    zegclip segment --authors_checkpoint=voc.tensors --image=cat.jpg --classes="cat,grass" --out=seg/
"""
import argparse
import collections
import importlib
import inspect
import io
import os
import pickle
import sys
import types

import torch


class _Placeholder:
    """Stands in for an object of a class whose module is not installed (mmcv, mmseg, ...)."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        self.state = state

    # Stand-ins for dict / list subclasses receive their items through these.
    def __setitem__(self, key, value):
        self.__dict__.setdefault("items", {})[key] = value

    def append(self, value):
        self.__dict__.setdefault("values", []).append(value)

    def extend(self, values):
        self.__dict__.setdefault("values", []).extend(values)


class _TolerantUnpickler(pickle.Unpickler):
    """pickle.Unpickler that replaces unimportable classes by _Placeholder instead of failing."""

    def find_class(self, module, name):
        try:
            return super().find_class(module, name)
        except (ImportError, AttributeError):
            return type(name, (_Placeholder,), {"__module__": module})


def _tolerant_pickle_module():
    """A copy of the pickle module whose Unpickler (and load) is the tolerant one, for torch.load."""
    module = types.ModuleType("pickle")
    module.__dict__.update({k: v for k, v in vars(pickle).items() if not k.startswith("__")})
    module.Unpickler = _TolerantUnpickler
    module.load = lambda file, **kwargs: _TolerantUnpickler(file, **kwargs).load()
    return module


def load_checkpoint(path):
    tolerant = _tolerant_pickle_module()
    kwargs = {"map_location": "cpu", "pickle_module": tolerant}
    if "weights_only" in inspect.signature(torch.load).parameters:
        kwargs["weights_only"] = False  # torch >= 2.6 defaults to True, which refuses the metadata objects
    # torch 1.13 replaces a given pickle_module by its own `pickle` whenever weights_only is off, so that name is
    # swapped for the duration of the load as well.
    saved = torch.serialization.pickle
    torch.serialization.pickle = tolerant
    try:
        return torch.load(path, **kwargs)
    finally:
        torch.serialization.pickle = saved


DTYPES = {"keep": None, "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


def extract_state_dict(checkpoint, path, dtype=None):
    """The model's tensors by name, from an mmseg checkpoint or a bare state dict."""
    if isinstance(checkpoint, dict) and "state_dict" in checkpoint:
        state = checkpoint["state_dict"]
    elif isinstance(checkpoint, dict) and checkpoint and all(torch.is_tensor(v) for v in checkpoint.values()):
        state = checkpoint
    else:
        keys = list(checkpoint.keys()) if isinstance(checkpoint, dict) else type(checkpoint).__name__
        raise SystemExit(f"{path}: expected an mmseg checkpoint with a 'state_dict' (found {keys})")
    out = collections.OrderedDict()
    bad = [k for k, v in state.items() if not torch.is_tensor(v)]
    if bad:
        raise SystemExit(f"{path}: state_dict entries that are not tensors: {', '.join(map(str, bad))}")
    for key, value in state.items():
        name = key[len("module."):] if key.startswith("module.") else key
        if name in out:
            raise SystemExit(f"{path}: '{key}' collides with another key once 'module.' is stripped")
        # A view would drag its whole storage into the archive; a contiguous copy holds exactly the tensor.
        value = value.detach().cpu()
        if dtype is not None and value.is_floating_point():
            value = value.to(dtype)
        out[name] = value.contiguous().clone()
    return out


def summarize(state):
    dtypes = collections.Counter(str(v.dtype).replace("torch.", "") for v in state.values())
    groups = collections.Counter(k.split(".", 1)[0] for k in state)
    params = collections.Counter()
    for k, v in state.items():
        params[k.split(".", 1)[0]] += v.numel()
    parts = [f"{g}: {groups[g]} tensors / {params[g]:,} values" for g in sorted(groups)]
    parts.append("dtypes " + " ".join(f"{d} x{n}" for d, n in sorted(dtypes.items())))
    return ", ".join(parts)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="the authors' .pth (mmseg checkpoint)")
    parser.add_argument("output", help="tensor archive to write (e.g. voc.tensors)")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="keep",
                        help="floating-point tensors as stored (keep, the default) or converted")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.checkpoint):
        raise SystemExit(f"{args.checkpoint}: no such file")
    try:
        checkpoint = load_checkpoint(args.checkpoint)
    except Exception as e:  # noqa: BLE001 - one clear line for any unpickling failure
        raise SystemExit(f"{args.checkpoint}: cannot unpickle ({type(e).__name__}: {e})")
    state = extract_state_dict(checkpoint, args.checkpoint, DTYPES[args.dtype])
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        raise SystemExit(f"{args.output}: folder {folder} does not exist")
    temp = args.output + ".tmp"
    buffer = io.BytesIO()
    torch.save(dict(state), buffer, _use_new_zipfile_serialization=True)
    with open(temp, "wb") as f:
        f.write(buffer.getvalue())
    os.replace(temp, args.output)
    print(f"{args.output}: {len(state)} tensors ({summarize(state)})")


if __name__ == "__main__":
    main(sys.argv[1:])
