"""Elementwise primitives, all on the ``map`` kernel: unary, binary, where, casts, copies, fill."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minispore.backend.protocol import Array, BinaryOp, Shape, UnaryOp
from minispore_opencl.kernels import elementwise as k
from minispore_opencl.layout import (
    Strides,
    broadcast_shapes,
    broadcast_strides,
    coalesce,
    dense,
    is_contiguous,
    layout_of,
)
from minispore_opencl.scalar_types import scalar_type

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime


def pack_layout(offsets: Sequence[int], shape: Shape, strides: Sequence[Strides]) -> np.ndarray[Any, Any]:
    """The host image of ``layout_t`` (see :func:`~minispore_opencl.kernels.elementwise.layout_struct`)."""
    return np.array([*offsets, *shape, *(s for st in strides for s in st)], dtype=np.int64)


def run_map(rt: Runtime, spec: k.MapSpec, out: Array, inputs: Sequence[Array], params: Sequence[Any] = ()) -> None:
    """Launch ``spec`` writing every element of ``out`` (any layout), inputs broadcast to it.

    Most launches write a new array from contiguous inputs of its shape or scalars (0-d):
    those take one flat dimension with no layout work (a fifth of the host time of a
    LeNet5 step on PoCL went to it). The layout is what :func:`coalesce` would give.
    """
    shape = out.shape
    if all(x.shape == shape or not x.shape for x in inputs) and all(dense(x) for x in (out, *inputs)):
        size = out.size
        if size:
            offsets = [a.offset // a.dtype.itemsize for a in (out, *inputs)]
            scalars = [not x.shape for x in inputs]
            if size > 1 and any(scalars):  # one dimension, stride 0 for the scalars
                packed = np.array([*offsets, size, 1, *(0 if z else 1 for z in scalars)], dtype=np.int64)
                ndim = 1
            else:
                packed, ndim = np.array(offsets, dtype=np.int64), 0
            buffers = (out.base_data, *(x.base_data for x in inputs))
            rt.launch_items(k.map_source(spec, ndim), "map", (size,), *buffers, *params, packed)
        return
    target = layout_of(out)
    if target.size == 0:
        return
    sources = [layout_of(x) for x in inputs]
    shape, strides = coalesce(target.shape, [target.strides, *(broadcast_strides(s, target.shape) for s in sources)])
    flat = all(st == (1,) for st in strides) or not shape
    packed = pack_layout([target.offset, *(s.offset for s in sources)], () if flat else shape, [] if flat else strides)
    ndim = 0 if flat else len(shape)
    items = (shape[-1], target.size // shape[-1]) if ndim >= 2 else (target.size,)
    buffers = (out.base_data, *(x.base_data for x in inputs))
    rt.launch_items(k.map_source(spec, ndim), "map", items, *buffers, *params, packed)


def _new(rt: Runtime, spec: k.MapSpec, shape: Shape, inputs: Sequence[Array]) -> Array:
    out = rt.empty(shape, spec.out.dtype)
    run_map(rt, spec, out, inputs)
    return out


def unary(rt: Runtime, op: UnaryOp, x: Array) -> Array:
    return _new(rt, k.unary_spec(op, scalar_type(x.dtype)), tuple(x.shape), [x])


def _same_dtype(name: str, x: Array, y: Array) -> None:
    if x.dtype != y.dtype:
        raise TypeError(
            f"For '{name}', both operands must have one dtype (minispore promotes first), "
            f"but got {x.dtype} and {y.dtype}."
        )


def binary(rt: Runtime, op: BinaryOp, x: Array, y: Array) -> Array:
    _same_dtype(op.value, x, y)
    spec = k.binary_spec(op, scalar_type(x.dtype))
    return _new(rt, spec, broadcast_shapes(tuple(x.shape), tuple(y.shape)), [x, y])


def where(rt: Runtime, condition: Array, x: Array, y: Array) -> Array:
    _same_dtype("where", x, y)
    spec = k.where_spec(scalar_type(condition.dtype), scalar_type(x.dtype))
    shape = broadcast_shapes(tuple(condition.shape), tuple(x.shape), tuple(y.shape))
    return _new(rt, spec, shape, [condition, x, y])


def copy_into(rt: Runtime, dst: Array, src: Array) -> None:
    """``dst[...] = src``, broadcast and converted; ``dst`` may be any strided view."""
    if src.base_data is not None and src.base_data is dst.base_data:
        src = cast(rt, src, src.dtype)  # the two may overlap: read from a copy
    run_map(rt, k.convert_spec(scalar_type(dst.dtype), scalar_type(src.dtype)), dst, [src])


def cast(rt: Runtime, x: Array, dtype: np.dtype[Any]) -> Array:
    """A new contiguous array of ``x`` converted to ``dtype``."""
    return _new(rt, k.convert_spec(scalar_type(dtype), scalar_type(x.dtype)), tuple(x.shape), [x])


def contiguous(rt: Runtime, x: Array) -> Array:
    """``x`` itself if it is contiguous (at any offset), else a contiguous copy."""
    return x if is_contiguous(x) else cast(rt, x, x.dtype)


def full(rt: Runtime, shape: Shape, value: float | int | bool, dtype: np.dtype[Any]) -> Array:
    t = scalar_type(dtype)
    out = rt.empty(shape, dtype)
    run_map(rt, k.fill_spec(t), out, [], [t.scalar(value)])
    return out
