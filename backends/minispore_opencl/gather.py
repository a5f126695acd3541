"""Gather along an axis (``take``) and its adjoint (``scatter_add``)."""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING

import numpy as np

from minispore.backend.protocol import Array, Shape
from minispore_opencl import elementwise as ew
from minispore_opencl.kernels.gather import scatter_add_source, take_source
from minispore_opencl.layout import layout_of
from minispore_opencl.scalar_types import scalar_type

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime


def _index_type(name: str, indices: Array) -> None:
    if indices.dtype not in (np.dtype(np.int32), np.dtype(np.int64)):
        raise TypeError(f"For '{name}', 'indices' must be int32 or int64, but got {indices.dtype}.")


def _packed(inner: int, dim: int, count: int, x: Array, indices: Array) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    return np.array([inner, dim, count, layout_of(x).offset, layout_of(indices).offset], dtype=np.int64)


def take(rt: Runtime, x: Array, indices: Array, axis: int) -> Array:
    """``x`` gathered along ``axis``: shape ``x.shape[:axis] + indices.shape + x.shape[axis+1:]``."""
    _index_type("take", indices)
    shape = tuple(x.shape)
    if not 0 <= axis < len(shape):
        raise ValueError(f"For 'take', 'axis' must be in [0, {len(shape)}), but got {axis}.")
    out = rt.empty(shape[:axis] + tuple(indices.shape) + shape[axis + 1 :], x.dtype)
    if out.size == 0:
        return out
    x, indices = ew.contiguous(rt, x), ew.contiguous(rt, indices)
    packed = _packed(prod(shape[axis + 1 :]), shape[axis], indices.size, x, indices)
    source = take_source(scalar_type(x.dtype), scalar_type(indices.dtype))
    rt.launch_items(source, "take", (out.size,), out.base_data, x.base_data, indices.base_data, packed)
    return out


def scatter_add(rt: Runtime, shape: Shape, indices: Array, values: Array, axis: int) -> Array:
    """Zeros of ``shape`` with ``values`` (shaped as :func:`take` returns) summed in at ``indices``.

    Raises:
        ValueError: ``values`` does not have the shape ``take`` would give.
    """
    _index_type("scatter_add", indices)
    shape = tuple(shape)
    expected = shape[:axis] + tuple(indices.shape) + shape[axis + 1 :]
    if not 0 <= axis < len(shape) or tuple(values.shape) != expected:
        raise ValueError(
            f"For 'scatter_add', 'values' must have shape {expected} for shape {shape} and axis {axis}, "
            f"but got {tuple(values.shape)}."
        )
    if indices.size == 0 or prod(shape) == 0:
        return ew.full(rt, shape, 0, values.dtype)
    out = rt.empty(shape, values.dtype)
    values, indices = ew.contiguous(rt, values), ew.contiguous(rt, indices)
    packed = _packed(prod(shape[axis + 1 :]), shape[axis], indices.size, values, indices)
    source = scatter_add_source(scalar_type(values.dtype), scalar_type(indices.dtype))
    rt.launch_items(source, "scatter_add", (out.size,), out.base_data, values.base_data, indices.base_data, packed)
    return out
