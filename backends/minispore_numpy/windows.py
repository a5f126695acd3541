"""Sliding windows on the host through the compiled kernels (:mod:`minispore_numpy.native`).

They take float32 and float64 arrays; :func:`compiled` says whether they run for a dtype
(the backend uses the array-module versions of :mod:`minispore.backend.array_ops` otherwise). Both
give the same numbers bit for bit.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from minispore.backend.protocol import Array, Shape, Window2d
from minispore_numpy.native import window_module

DTYPE_CODES = {np.dtype(np.float32): 0, np.dtype(np.float64): 1}
"""The dtype code that the compiled functions take (``_window``'s and ``_select``'s), per
dtype they serve. Kept here, not in :mod:`.native`, which the build imports without NumPy."""


def compiled(dtype: np.dtype[Any]) -> bool:
    """Whether the compiled kernels are in use and take ``dtype``."""
    return window_module is not None and dtype in DTYPE_CODES


def _kernels(dtype: np.dtype[Any]) -> tuple[ModuleType, int]:
    if window_module is None or dtype not in DTYPE_CODES:
        raise TypeError(f"The compiled window kernels do not run for dtype {dtype}; check compiled() first.")
    return window_module, DTYPE_CODES[dtype]


def _geometry(shape: Shape, window: Window2d) -> tuple[int, ...]:
    """The kernels' window tuple ``(n, c, h, w, kh, kw, sh, sw, dh, dw, top, left, oh, ow)``."""
    n, c, h, w = shape
    top, _, left, _ = window.padding
    return (n, c, h, w, *window.kernel, *window.stride, *window.dilation, top, left, *window.output_size(h, w))


def im2col(x: Array, window: Window2d, pad_value: float) -> Array:
    """``(N, C, H, W)`` to ``(N, C*kh*kw, OH*OW)`` columns (see the protocol for the order)."""
    kernels, code = _kernels(x.dtype)
    n, c, h, w = x.shape
    oh, ow = window.output_size(h, w)
    cols = np.empty((n, c * window.kernel[0] * window.kernel[1], oh * ow), dtype=x.dtype)
    kernels.im2col(code, np.ascontiguousarray(x), cols, _geometry(x.shape, window), pad_value)
    return cols


def col2im(cols: Array, input_shape: Shape, window: Window2d) -> Array:
    """The adjoint of :func:`im2col`: each column entry is added into its pixel."""
    kernels, code = _kernels(cols.dtype)
    x = np.zeros(tuple(input_shape), dtype=cols.dtype)
    kernels.col2im(code, np.ascontiguousarray(cols), x, _geometry(tuple(input_shape), window))
    return x


def max_pool2d(x: Array, window: Window2d) -> tuple[Array, Array]:
    """Window maxima of NCHW ``x`` and the first maximal tap ``i*kw + j`` of each (int32)."""
    kernels, code = _kernels(x.dtype)
    n, c, h, w = x.shape
    shape = (n, c, *window.output_size(h, w))
    values, taps = np.empty(shape, dtype=x.dtype), np.empty(shape, dtype=np.int32)
    kernels.max_pool(code, np.ascontiguousarray(x), values, taps, _geometry(x.shape, window))
    return values, taps


def max_pool2d_grad(grad: Array, taps: Array, input_shape: Shape, window: Window2d) -> Array:
    """The adjoint of :func:`max_pool2d`: each window's gradient goes to its chosen tap."""
    kernels, code = _kernels(grad.dtype)
    dx = np.empty(tuple(input_shape), dtype=grad.dtype)  # the kernel writes every pixel
    geometry = _geometry(tuple(input_shape), window)
    kernels.max_pool_grad(code, np.ascontiguousarray(grad), np.ascontiguousarray(taps), dx, geometry)
    return dx
