"""Reductions along axes, on the ``reduce`` and ``arg_reduce`` kernels.

Sums accumulate in ``float`` for float16/float32, ``double`` for float64 and ``long``
for integers and bool (then wrap or test ``!= 0`` into the result dtype, as NumPy's
``sum(...).astype(dtype)``). Float sums add in a different order than NumPy's pairwise
summation, so they agree to rounding, not bit for bit; max, min and the arg reductions
are exact.
"""

from __future__ import annotations

from math import ceil, prod
from typing import TYPE_CHECKING, Any

import numpy as np

from minispore.backend.protocol import ArgReduceOp, Array, ReduceOp, Shape
from minispore_opencl import elementwise as ew
from minispore_opencl.kernels.reduction import arg_reduce_source, reduce_source
from minispore_opencl.layout import Strides, coalesce, layout_of
from minispore_opencl.scalar_types import ScalarType, scalar_type

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime

CHUNK = 512
"""Reduced elements per work-item, at least, once a reduction is split into chunks.

PoCL runs each work-item's loop to the end before the next work-item starts, so a column
sum touches one float per cache line; short chunks keep those lines cached until the
neighbouring work-items read them (a batch-axis sum ran at 1.5 GB/s with chunks of 5120
rows and at 8 GB/s with chunks of 512).
"""

PARALLEL = 65536
"""Work-items a split reduction aims for; reductions with this many outputs never split."""


def _check_axes(name: str, axes: tuple[int, ...], ndim: int) -> None:
    if list(axes) != sorted(set(axes)) or any(not 0 <= a < ndim for a in axes):
        raise ValueError(
            f"For '{name}', 'axes' must be sorted, distinct and in [0, {ndim}) for a {ndim}-D array, but got {axes}."
        )


def _accumulator(op: ReduceOp, t: ScalarType) -> tuple[str, np.dtype[Any]]:
    """The C accumulator type of ``op`` over ``t`` and the dtype that holds partial results."""
    if op is not ReduceOp.SUM:
        return t.compute, t.dtype
    if t.is_float:
        return t.compute, np.dtype(np.float64 if t.is_double else np.float32)
    return "long", np.dtype(np.int64)


def _split(x: Array, axes: tuple[int, ...]) -> tuple[tuple[Shape, Strides], tuple[Shape, Strides]]:
    """The coalesced kept and reduced dimensions of ``x``, each as (shape, strides)."""
    lay = layout_of(x)
    dims = range(len(lay.shape))
    kept_shape, (kept_strides,) = coalesce(
        tuple(lay.shape[d] for d in dims if d not in axes), [tuple(lay.strides[d] for d in dims if d not in axes)]
    )
    red_shape, (red_strides,) = coalesce(tuple(lay.shape[d] for d in axes), [tuple(lay.strides[d] for d in axes)])
    if not red_shape:
        red_shape, red_strides = (1,), (0,)
    return (kept_shape, kept_strides), (red_shape, red_strides)


def _launch(
    rt: Runtime,
    op: ReduceOp,
    x: Array,
    kept: tuple[Shape, Strides],
    reduced: tuple[Shape, Strides],
    chunks: int,
    out_dtype: np.dtype[Any],
) -> Array:
    """``out[c * outputs + o]``: ``op`` over chunk ``c`` of output ``o``'s reduced elements."""
    t = scalar_type(x.dtype)
    count = prod(reduced[0])
    chunk = ceil(count / chunks)
    chunks = ceil(count / chunk)
    outputs = prod(kept[0])
    out = rt.empty((outputs * chunks,), out_dtype)
    source = reduce_source(op, t, scalar_type(out_dtype), _accumulator(op, t)[0], len(kept[0]), len(reduced[0]))
    packed = np.array([layout_of(x).offset, count, chunk, *kept[0], *kept[1], *reduced[0], *reduced[1]], np.int64)
    rt.launch_items(source, "reduce", (outputs, chunks), out.base_data, x.base_data, packed)
    return out


def reduce(rt: Runtime, op: ReduceOp, x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    """``op`` over ``axes``; empty ``axes`` copies.

    Raises:
        ValueError: bad ``axes``, or max/min over zero elements (no identity, as NumPy).
    """
    shape = tuple(x.shape)
    _check_axes(op.value, axes, len(shape))
    if not axes:
        return ew.cast(rt, x, x.dtype)
    out_shape = tuple(1 if d in axes else n for d, n in enumerate(shape) if keepdims or d not in axes)
    count = prod(shape[a] for a in axes)
    if count == 0:
        if op is ReduceOp.SUM:
            return ew.full(rt, out_shape, 0, x.dtype)
        raise ValueError(
            f"For '{op.value}', axes {axes} of shape {shape} hold no elements and '{op.value}' has no identity; "
            "reduce over non-empty axes."
        )
    if prod(out_shape) == 0:
        return rt.empty(out_shape, x.dtype)
    kept, reduced = _split(x, axes)
    outputs = prod(out_shape)
    if outputs >= PARALLEL or count < 2 * CHUNK:
        return rt.as_shape(_launch(rt, op, x, kept, reduced, 1, x.dtype), out_shape)
    chunks = min(ceil(count / CHUNK), ceil(PARALLEL / outputs))
    partial = _launch(rt, op, x, kept, reduced, chunks, _accumulator(op, scalar_type(x.dtype))[1])
    chunks = partial.shape[0] // outputs  # _launch evens the chunks out, which may need fewer
    columns = ((outputs,), (1,)) if outputs > 1 else ((), ())
    return rt.as_shape(_launch(rt, op, partial, columns, ((chunks,), (outputs,)), 1, x.dtype), out_shape)


def arg_reduce(rt: Runtime, op: ArgReduceOp, x: Array, axis: int, keepdims: bool) -> Array:
    """The int32 index of the first max/min along ``axis``.

    Raises:
        ValueError: ``axis`` is out of range or has length 0.
    """
    shape = tuple(x.shape)
    _check_axes(op.value, (axis,), len(shape))
    if shape[axis] == 0:
        raise ValueError(f"For '{op.value}', axis {axis} of shape {shape} is empty; there is no index to return.")
    out_shape = tuple(1 if d == axis else n for d, n in enumerate(shape) if keepdims or d != axis)
    out = rt.empty(out_shape, np.dtype(np.int32))
    if out.size == 0:
        return out
    (kept_shape, kept_strides), _ = _split(x, (axis,))
    packed = np.array(
        [layout_of(x).offset, shape[axis], layout_of(x).strides[axis], *kept_shape, *kept_strides], np.int64
    )
    source = arg_reduce_source(op, scalar_type(x.dtype), len(kept_shape))
    rt.launch_items(source, "arg_reduce", (out.size,), out.base_data, x.base_data, packed)
    return out
