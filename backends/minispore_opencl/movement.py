"""Shape and data movement: views, reshape, transpose, broadcast, indexing and concat.

``reshape`` (unless the layout needs a copy, as in NumPy) and ``broadcast_to`` return views;
``transpose``, ``index`` and ``concat`` copy with the ``map`` kernel, which reads any
strided layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import TYPE_CHECKING

from minispore.backend.protocol import Array, IndexKey, Shape
from minispore_opencl import elementwise as ew
from minispore_opencl.layout import (
    Layout,
    broadcast_strides,
    contiguous_strides,
    dense,
    index_region,
    layout_of,
    reshaped,
)

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime


def view(rt: Runtime, buffer: Array, offset: int, shape: Shape) -> Array:
    """``prod(shape)`` elements of the 1-D contiguous ``buffer`` from ``offset``, shared.

    Raises:
        ValueError: ``buffer`` is not 1-D contiguous, or the view does not fit in it.
    """
    lay = layout_of(buffer)
    if len(lay.shape) != 1 or not lay.is_contiguous:
        raise ValueError(f"For 'view', 'buffer' must be a 1-D contiguous array, but got shape {lay.shape}.")
    size = prod(shape)
    if offset < 0 or offset + size > lay.shape[0]:
        raise ValueError(
            f"For 'view', {size} elements from offset {offset} do not fit in a buffer of {lay.shape[0]} elements."
        )
    return rt.view(buffer, Layout(lay.offset + offset, tuple(shape), contiguous_strides(shape)))


def reshape(rt: Runtime, x: Array, shape: Shape) -> Array:
    """A view with ``shape`` when ``x``'s layout allows one (see :func:`.layout.reshaped`),
    else a reshaped contiguous copy.

    Raises:
        ValueError: ``shape`` holds a different number of elements.
    """
    if prod(shape) != x.size:
        raise ValueError(f"For 'reshape', cannot reshape an array of shape {tuple(x.shape)} into shape {shape}.")
    if dense(x):
        return rt.as_shape(x, shape)
    view = reshaped(layout_of(x), tuple(shape))
    if view is not None:
        return rt.view(x, view)
    x = ew.contiguous(rt, x)
    return rt.view(x, Layout(layout_of(x).offset, tuple(shape), contiguous_strides(shape)))


def transpose(rt: Runtime, x: Array, perm: tuple[int, ...]) -> Array:
    """A view with axes permuted (no launch): axis ``d`` of the result is axis ``perm[d]`` of ``x``.

    Kernels read operands through their strides, and those that need contiguous input
    (reshape, windows, gathers) copy first.

    Raises:
        ValueError: ``perm`` is not a permutation of ``range(x.ndim)``.
    """
    lay = layout_of(x)
    if sorted(perm) != list(range(len(lay.shape))):
        raise ValueError(f"For 'transpose', 'perm' must permute the {len(lay.shape)} axes of {lay.shape}, got {perm}.")
    permuted = Layout(lay.offset, tuple(lay.shape[p] for p in perm), tuple(lay.strides[p] for p in perm))
    return rt.view(x, permuted)


def broadcast_to(rt: Runtime, x: Array, shape: Shape) -> Array:
    """A read-only view of ``x`` broadcast to ``shape`` (stride 0 along new or size-1 axes).

    Raises:
        ValueError: ``x`` does not broadcast to ``shape``.
    """
    lay = layout_of(x)
    return rt.view(x, Layout(lay.offset, tuple(shape), broadcast_strides(lay, tuple(shape))))


def index(rt: Runtime, x: Array, key: IndexKey) -> Array:
    """A new contiguous array of ``x[key]`` (normalized basic indexing)."""
    return ew.cast(rt, rt.view(x, index_region(layout_of(x), key)), x.dtype)


def setitem(rt: Runtime, x: Array, key: IndexKey, value: Array) -> None:
    """In place ``x[key] = value``, ``value`` broadcast and converted."""
    ew.copy_into(rt, rt.view(x, index_region(layout_of(x), key)), value)


def concat(rt: Runtime, xs: Sequence[Array], axis: int) -> Array:
    """Join ``xs`` along ``axis``: one copy launch per non-empty piece.

    Raises:
        ValueError: no arrays, mixed dtypes, a bad ``axis``, or shapes that differ off ``axis``.
    """
    if not xs:
        raise ValueError("For 'concat', 'xs' must hold at least one array, but got none.")
    first = tuple(xs[0].shape)
    if not 0 <= axis < len(first):
        raise ValueError(f"For 'concat', 'axis' must be in [0, {len(first)}), but got {axis}.")
    for x in xs:
        shape = tuple(x.shape)
        if (
            x.dtype != xs[0].dtype
            or len(shape) != len(first)
            or shape[:axis] + shape[axis + 1 :] != first[:axis] + first[axis + 1 :]
        ):
            raise ValueError(
                f"For 'concat', every array needs dtype {xs[0].dtype} and shape {first} off axis {axis}, "
                f"but got {x.dtype} {shape}."
            )
    total = sum(int(x.shape[axis]) for x in xs)
    out = rt.empty(first[:axis] + (total,) + first[axis + 1 :], xs[0].dtype)
    start = 0
    for x in xs:
        size = int(x.shape[axis])
        key = tuple(slice(start, start + size, 1) if d == axis else slice(0, n, 1) for d, n in enumerate(out.shape))
        setitem(rt, out, key, x)
        start += size
    return out
