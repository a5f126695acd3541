"""Turning operands into tensors on the right device with MindSpore's promotion rules."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.dtype import DType
from minispore.common.tensor import Tensor, host_array
from minispore.functions.constants import scalar


def scalar_dtype(value: Any, other: DType) -> DType:
    """The result dtype of ``tensor(other) op python_scalar`` (scalars are weakly typed)."""
    if isinstance(value, bool):
        return other
    if isinstance(value, numbers.Integral):
        return mstype.int64 if other == mstype.bool_ else other
    if isinstance(value, numbers.Real):
        return other if other.is_floating else mstype.float32
    raise TypeError(f"Expected a Tensor or a Python number, but got {type(value).__name__}.")


def on_backend(value: Any, like: Tensor, dtype: DType | None = None) -> Tensor:
    """``value`` as a tensor on ``like``'s device (a Tensor on another device is an error)."""
    if isinstance(value, Tensor):
        return value
    arr = host_array(value, dtype)
    return Tensor._from_array(like.backend.from_numpy(arr), like.backend)


def cast_to(t: Tensor, dtype: DType) -> Tensor:
    """``t`` converted to ``dtype`` (recorded for autograd), or ``t`` itself."""
    if t.dtype == dtype:
        return t
    from minispore.functions.elementwise import Cast

    return Cast.apply(t, dtype=dtype.np_dtype)


def operands(x: Any, y: Any, op: str) -> tuple[Tensor, Tensor]:
    """Two tensors of one dtype on one device for a binary operation."""
    if isinstance(x, Tensor) and isinstance(y, Tensor):
        dtype = mstype.promote(x.dtype, y.dtype)
        return cast_to(x, dtype), cast_to(y, dtype)
    if isinstance(x, Tensor):
        if isinstance(y, np.ndarray | list | tuple):
            yt = on_backend(y, x)
            return operands(x, yt, op)
        dtype = scalar_dtype(y, x.dtype)
        if isinstance(y, float) and dtype.is_floating:  # a float constant: filled once per device and dtype
            return cast_to(x, dtype), Tensor._from_array(scalar(x.backend, y, dtype.np_dtype), x.backend)
        return cast_to(x, dtype), on_backend(y, x, dtype)
    if isinstance(y, Tensor):
        b, a = operands(y, x, op)
        return a, b
    raise TypeError(
        f"For '{op}', at least one operand must be a Tensor, but got {type(x).__name__} and {type(y).__name__}."
    )


def normalize_axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """``None`` (all axes), an int or a sequence of ints as sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    items = (axis,) if not isinstance(axis, list | tuple) else tuple(axis)
    out = []
    for a in items:
        if not isinstance(a, int | np.integer) or isinstance(a, bool):
            raise TypeError(f"For '{op}', 'axis' must be an int or a tuple of ints, but got {axis!r}.")
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"For '{op}', 'axis' {a} is out of range for a tensor of rank {ndim}.")
        out.append(int(a) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"For '{op}', 'axis' {axis!r} repeats an axis.")
    return tuple(sorted(a for a in out if a < ndim))
