"""Sliding windows over NCHW arrays: ``im2col``, its adjoint ``col2im``, and max pooling."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from minispore.backend.protocol import Array, Shape, Window2d
from minispore_opencl import elementwise as ew
from minispore_opencl.kernels.pooling import (
    PAIR_LANES,
    max_pool_grad_source,
    max_pool_pairs_grad_source,
    max_pool_pairs_source,
    max_pool_source,
)
from minispore_opencl.kernels.window import DIVISORS, Geometry, col2im_source, im2col_source, magic
from minispore_opencl.layout import layout_of
from minispore_opencl.scalar_types import scalar_type

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime


SPECIALIZE_VARIABLE = "MINISPORE_OPENCL_SPECIALIZE_AFTER"


def _specialize_after() -> int:
    text = os.environ.get(SPECIALIZE_VARIABLE, "3")
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"{SPECIALIZE_VARIABLE} must be a whole number of launches (0 or more), but got {text!r}.")
    return value


SPECIALIZE_AFTER = _specialize_after()
"""Launches of one kernel on one window geometry that run the generic kernel (the geometry
an argument) before the kernel is built for that geometry with its sizes as literals
(about a quarter faster, one build of 0.1-0.2 s). A geometry seen once or twice (an odd
input size) costs no build; a training loop's are specialised from its fourth step.
``MINISPORE_OPENCL_SPECIALIZE_AFTER`` sets it (the test suite sets it high: its gradient
checks run hundreds of geometries a few dozen times each)."""

_USES: dict[tuple[str, str, Geometry], int] = {}


def _packed(
    kind: str, offset: int, height: int, width: int, window: Window2d, index: str
) -> tuple[Geometry | None, np.generic | np.ndarray[tuple[int], Any]]:
    """The geometry to build kernel ``kind`` for (None: the generic kernel) and the
    launch's ``window_t`` argument: the whole struct for the generic kernel, its ``offset``
    for a specialised one (a magic multiplier above 2**31 wraps in ``int``, as C's
    ``(uint)`` reads it)."""
    oh, ow = window.output_size(height, width)
    top, _, left, _ = window.padding
    sizes = dict(height=height, width=width, oh=oh, sh=window.stride[0], sw=window.stride[1], area=height * width)
    fields = [offset, height, width, *window.kernel, *window.stride, *window.dilation, top, left, oh, ow]
    fields += [height * width, oh * ow, *(k for d in DIVISORS for k in magic(max(sizes[d], 1)))]
    packed = np.array(fields, dtype=np.int64).astype(np.int32 if index == "int" else np.int64)
    geometry = tuple(int(v) for v in packed[1:])
    key = (kind, index, geometry)
    uses = _USES.get(key, 0)
    if uses >= SPECIALIZE_AFTER:
        return geometry, packed[0]
    if len(_USES) >= 4096:
        _USES.clear()
    _USES[key] = uses + 1
    return None, packed


def _index(*sizes: int) -> str:
    """``int`` where every index of a launch fits in 32 bits, else ``long``."""
    return "int" if max(sizes) < 2**31 else "long"


def _disjoint(window: Window2d) -> bool:
    """Whether a pixel lies in at most one window: each stride at least the window's reach."""
    return all(s >= d * (k - 1) + 1 for k, s, d in zip(window.kernel, window.stride, window.dilation))


def _pairs(window: Window2d, dtype: np.dtype[Any], ow: int) -> bool:
    """Whether float32 2x2 windows of stride 2 with no padding, ``ow`` (at least
    :data:`PAIR_LANES`) a row, run the four-windows-a-work-item kernels."""
    return (
        dtype == np.float32
        and window.kernel == (2, 2)
        and window.stride == (2, 2)
        and window.dilation == (1, 1)
        and not any(window.padding)
        and ow >= PAIR_LANES
    )


def _nchw(name: str, shape: Shape) -> tuple[int, int, int, int]:
    if len(shape) != 4:
        raise ValueError(f"For '{name}', the input must be 4-D (N, C, H, W), but got shape {shape}.")
    n, c, h, w = shape
    return n, c, h, w


def im2col(rt: Runtime, x: Array, window: Window2d, pad_value: float) -> Array:
    """Unfold ``(N, C, H, W)`` into ``(N, C*kh*kw, OH*OW)`` (see the protocol for the order)."""
    n, c, h, w = _nchw("im2col", tuple(x.shape))
    oh, ow = window.output_size(h, w)
    kh, kw = window.kernel
    cols = rt.empty((n, c * kh * kw, max(oh, 0) * max(ow, 0)), x.dtype)
    if cols.size == 0:
        return cols
    if x.size == 0:  # only padding
        return ew.full(rt, tuple(cols.shape), pad_value, x.dtype)
    x = ew.contiguous(rt, x)
    t = scalar_type(x.dtype)
    index = _index(layout_of(x).offset + x.size, cols.size)
    geometry, layout = _packed("im2col", layout_of(x).offset, h, w, window, index)
    source = im2col_source(t, window.kernel, index, geometry, any(window.padding))
    rt.launch_items(source, "im2col", (oh * ow, n * c), cols.base_data, x.base_data, t.scalar(pad_value), layout)
    return cols


def col2im(rt: Runtime, cols: Array, input_shape: Shape, window: Window2d) -> Array:
    """Sum each column entry back into its pixel of a zero ``input_shape`` array.

    Raises:
        ValueError: ``cols`` does not have the shape ``im2col`` gives for ``input_shape``.
    """
    n, c, h, w = _nchw("col2im", tuple(input_shape))
    oh, ow = window.output_size(h, w)
    kh, kw = window.kernel
    expected = (n, c * kh * kw, oh * ow)
    if tuple(cols.shape) != expected:
        raise ValueError(f"For 'col2im', 'cols' must have shape {expected} for input {input_shape}, got {cols.shape}.")
    x = rt.empty(tuple(input_shape), cols.dtype)
    if x.size == 0:
        return x
    if cols.size == 0:
        return ew.full(rt, tuple(input_shape), 0, cols.dtype)
    cols = ew.contiguous(rt, cols)
    index = _index(layout_of(cols).offset + cols.size, x.size)
    geometry, layout = _packed("col2im", layout_of(cols).offset, h, w, window, index)
    unit = window.stride == (1, 1)
    source = col2im_source(scalar_type(cols.dtype), window.kernel, index, geometry, unit)
    rt.launch_items(source, "col2im", (w, n * c * h) if unit else (x.size,), x.base_data, cols.base_data, layout)
    return x


def max_pool2d(rt: Runtime, x: Array, window: Window2d) -> tuple[Array, Array]:
    """Window maxima of NCHW ``x`` and the first maximal tap ``i*kw + j`` of each (int32), in one launch."""
    n, c, h, w = _nchw("max_pool2d", tuple(x.shape))
    oh, ow = window.output_size(h, w)
    out = rt.empty((n, c, max(oh, 0), max(ow, 0)), x.dtype)
    taps = rt.empty(tuple(out.shape), np.dtype(np.int32))
    if out.size == 0:
        return out, taps
    x = ew.contiguous(rt, x)
    if _pairs(window, x.dtype, ow):
        sizes = (np.int64(v) for v in (layout_of(x).offset, h, w, oh, ow))
        items = (-(-ow // PAIR_LANES), n * c * oh)
        rt.launch_items(
            max_pool_pairs_source(), "max_pool_pairs", items, out.base_data, taps.base_data, x.base_data, *sizes
        )
        return out, taps
    t = scalar_type(x.dtype)
    low = -np.inf if t.is_float else np.iinfo(x.dtype).min
    index = _index(layout_of(x).offset + x.size, out.size)
    geometry, layout = _packed("max_pool", layout_of(x).offset, h, w, window, index)
    rt.launch_items(
        max_pool_source(t, window.kernel, index, geometry, any(window.padding)),
        "max_pool",
        (ow, n * c * oh),
        out.base_data,
        taps.base_data,
        x.base_data,
        t.scalar(low),
        layout,
    )
    return out, taps


def max_pool2d_grad(rt: Runtime, grad: Array, taps: Array, input_shape: Shape, window: Window2d) -> Array:
    """Zeros of ``input_shape`` with each window's ``grad`` added at its chosen tap, in one launch."""
    n, c, h, w = _nchw("max_pool2d_grad", tuple(input_shape))
    x = rt.empty(tuple(input_shape), grad.dtype)
    if x.size == 0:
        return x
    if grad.size == 0:
        return ew.full(rt, tuple(input_shape), 0, grad.dtype)
    grad, taps = ew.contiguous(rt, grad), ew.contiguous(rt, taps)
    oh, ow = window.output_size(h, w)
    if _pairs(window, grad.dtype, ow) and (2 * oh, 2 * ow) == (h, w):
        sizes = (np.int64(v) for v in (layout_of(grad).offset, layout_of(taps).offset, h, w, oh, ow))
        items = (-(-ow // PAIR_LANES), n * c * oh)
        source = max_pool_pairs_grad_source()
        rt.launch_items(source, "max_pool_pairs_grad", items, x.base_data, grad.base_data, taps.base_data, *sizes)
        return x
    index = _index(layout_of(grad).offset + grad.size, layout_of(taps).offset + taps.size, x.size)
    geometry, layout = _packed("max_pool_grad", layout_of(grad).offset, h, w, window, index)
    source = max_pool_grad_source(scalar_type(grad.dtype), window.kernel, index, geometry, _disjoint(window))
    taps_at = np.int64(layout_of(taps).offset)
    rt.launch_items(source, "max_pool_grad", (x.size,), x.base_data, grad.base_data, taps.base_data, taps_at, layout)
    return x
