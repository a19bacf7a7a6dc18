"""mmcv.utils stand-in: ConfigDict / Config.fromfile, Registry / build_from_cfg, print_log, is_list_of."""
import copy
import logging
import os.path as osp


class ConfigDict(dict):
    """A dict whose keys are also attributes, nested dicts converted (mmcv's ConfigDict is an addict.Dict).

    The authors' code relies on attribute access: ZegCLIP sets `text_encoder.pretrained = ...`, EncoderDecoder sets
    `backbone.pretrained = ...`, slide_inference reads `self.test_cfg.stride` / `.crop_size` / `.mode`. A missing
    key raises AttributeError (mmcv overrides addict's auto-vivification the same way).
    """

    def __init__(self, *args, **kwargs):
        super().__init__()
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    @staticmethod
    def _convert(value):
        if isinstance(value, dict) and not isinstance(value, ConfigDict):
            return ConfigDict(value)
        if isinstance(value, list):
            return [ConfigDict._convert(v) for v in value]
        if isinstance(value, tuple):
            return tuple(ConfigDict._convert(v) for v in value)
        return value

    def __setitem__(self, key, value):
        super().__setitem__(key, self._convert(value))

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"'ConfigDict' object has no attribute '{name}'") from None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        del self[name]

    def copy(self):
        return ConfigDict(dict.copy(self))

    def __deepcopy__(self, memo):
        return ConfigDict({k: copy.deepcopy(v, memo) for k, v in self.items()})


BASE_KEY = "_base_"
DELETE_KEY = "_delete_"


class Config:
    """Config.fromfile for python configs, as mmcv 1.4.4 does it.

    The file is executed; its top-level names not starting with '__' are the config. `_base_` files (relative to the
    file) are read first and the file's own values merged into them: a dict merges key by key recursively (unless it
    carries `_delete_=True`), anything else replaces. mmcv's `{{ fileDirname }}` substitution and `.json/.yaml`
    files are not needed by the ZegCLIP configs and are not supported.
    """

    @staticmethod
    def _file2dict(filename):
        filename = osp.abspath(osp.expanduser(filename))
        if not filename.endswith(".py"):
            raise IOError(f"{filename}: only python configs are supported by this stand-in")
        with open(filename, encoding="utf-8") as f:
            source = f.read()
        if "{{" in source:
            raise NotImplementedError(f"{filename}: predefined variables are not supported by this stand-in")
        namespace = {"__file__": filename}
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - a config is python by design
        cfg_dict = {k: v for k, v in namespace.items() if not k.startswith("__")}
        if BASE_KEY in cfg_dict:
            base_files = cfg_dict.pop(BASE_KEY)
            base_files = base_files if isinstance(base_files, list) else [base_files]
            base_dict = {}
            for base in base_files:
                one = Config._file2dict(osp.join(osp.dirname(filename), base))
                duplicate = set(one) & set(base_dict)
                if duplicate:
                    raise KeyError(f"{filename}: duplicate keys in base configs: {sorted(duplicate)}")
                base_dict.update(one)
            cfg_dict = Config._merge_a_into_b(cfg_dict, base_dict)
        return cfg_dict

    @staticmethod
    def _merge_a_into_b(a, b):
        b = dict(b)
        for k, v in a.items():
            if isinstance(v, dict) and k in b and not v.pop(DELETE_KEY, False):
                if not isinstance(b[k], dict):
                    raise TypeError(f"{k}={v} in child config cannot inherit from base because {k} is a dict in the "
                                    f"child config but is of type {type(b[k])} in base config")
                b[k] = Config._merge_a_into_b(v, b[k])
            else:
                b[k] = ConfigDict(v) if isinstance(v, dict) else v
        return b

    @staticmethod
    def fromfile(filename):
        return ConfigDict(Config._file2dict(filename))


class Registry:
    """mmcv Registry: a name -> class table filled by @REGISTRY.register_module()."""

    def __init__(self, name):
        self.name = name
        self._module_dict = {}

    def get(self, key):
        return self._module_dict.get(key)

    def __contains__(self, key):
        return key in self._module_dict

    def register_module(self, name=None, force=False, module=None):
        def _register(cls):
            key = name or cls.__name__
            if not force and key in self._module_dict:
                raise KeyError(f"{key} is already registered in {self.name}")
            self._module_dict[key] = cls
            return cls

        if module is not None:
            return _register(module)
        return _register

    def build(self, cfg, default_args=None):
        return build_from_cfg(cfg, self, default_args)


def build_from_cfg(cfg, registry, default_args=None):
    """mmcv build_from_cfg: copy cfg, fill default_args with setdefault, pop 'type', call the class with the rest."""
    if not isinstance(cfg, dict) or "type" not in cfg:
        raise KeyError(f"cfg must be a dict containing the key 'type', got {cfg}")
    args = ConfigDict(dict.copy(cfg))
    if default_args is not None:
        for key, value in default_args.items():
            args.setdefault(key, value)
    obj_type = args.pop("type")
    obj_cls = registry.get(obj_type) if isinstance(obj_type, str) else obj_type
    if obj_cls is None:
        raise KeyError(f"{obj_type} is not in the {registry.name} registry")
    try:
        return obj_cls(**args)
    except Exception as e:
        raise type(e)(f"{obj_cls.__name__}: {e}") from e


def is_list_of(seq, expected_type):
    return isinstance(seq, list) and all(isinstance(item, expected_type) for item in seq)


def print_log(msg, logger=None, level=logging.INFO):
    """mmcv print_log: print, or log to a given logger (imported by the authors' dataset classes)."""
    if logger is None or logger == "silent":
        if logger is None:
            print(msg)
    elif isinstance(logger, logging.Logger):
        logger.log(level, msg)
    else:
        logging.getLogger(logger).log(level, msg)
