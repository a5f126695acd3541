"""MindSpore's ``mindspore.common``: Tensor, Parameter, dtypes, seeds and ``jit``.

The names load on first use, so that the modules inside this package can import each
other without an import cycle.
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "Tensor": "minispore.common.tensor",
    "Parameter": "minispore.common.parameter",
    "ParameterTuple": "minispore.common.parameter",
    "set_seed": "minispore.context",
    "get_seed": "minispore.context",
    "jit": "minispore.common.api",
    "jit_class": "minispore.common.api",
    "from_numpy": "minispore.common.interop",
}
_DTYPES = ("bool_", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8")
_ALIASES = {"float_": "float32", "int_": "int64"}

__all__ = sorted([*_NAMES, *_DTYPES, *_ALIASES])


def __getattr__(name: str) -> Any:
    if name in _DTYPES or name in _ALIASES:
        return getattr(importlib.import_module("minispore.common.dtype"), _ALIASES.get(name, name))
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module 'minispore.common' has no attribute {name!r}")
