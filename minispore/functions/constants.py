"""Scalar constants (0-d arrays) shared by the Functions of one backend (and the
optimizers' step counters, and the float operands of ``x * 0.5``-style ops), and
``arange`` tables (one-hot's class indices).

ReLU compares with a zero and Sqrt's derivative multiplies by a two on every call. Built
afresh, each is a fill launch on a device (8 of the 85 launches of a LeNet5 step on
OpenCL); cached, each is built once per backend, dtype and value. Backend ops never
write to their inputs, and the NumPy copies are read-only, so a stray in-place write
fails loudly instead of changing a constant.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from minispore.backend.protocol import Array, Backend

LIMIT = 256
"""Constants kept before the cache starts over (values such as a pooling divisor vary)."""

_CACHE: dict[tuple[Any, ...], tuple[Backend, Array]] = {}


def _kept(backend: Backend, key: tuple[Any, ...], make: Callable[[], Array]) -> Array:
    """The constant of ``backend`` under ``key``, made (and, on the host, made read-only) once."""
    key = (id(backend), *key)
    found = _CACHE.get(key)
    if found is None or found[0] is not backend:
        if len(_CACHE) >= LIMIT:
            _CACHE.clear()
        array = make()
        if isinstance(array, np.ndarray):
            array.setflags(write=False)
        found = _CACHE[key] = (backend, array)
    return found[1]


def scalar(backend: Backend, value: float, dtype: np.dtype[Any]) -> Array:
    """The 0-d array of ``value`` in ``dtype`` on ``backend``, filled once.

    ``-0.0`` and ``0.0`` are different constants (their products differ in sign).
    """
    dtype = np.dtype(dtype)
    return _kept(backend, (value, math.copysign(1.0, value), dtype.str), lambda: backend.full((), value, dtype))


def arange(backend: Backend, n: int, dtype: np.dtype[Any]) -> Array:
    """``0, 1, ..., n - 1`` in ``dtype`` on ``backend``, uploaded once."""
    dtype = np.dtype(dtype)
    return _kept(backend, ("arange", n, dtype.str), lambda: backend.from_numpy(np.arange(n, dtype=dtype)))
