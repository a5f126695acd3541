"""Array-API primitives shared by every backend whose arrays follow NumPy's API.

The NumPy backend uses them with ``numpy``; the CuPy backend hands in ``cupy``. Each
function takes the array module ``xp`` as its first argument so that the logic is
written once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from minispore.backend.protocol import (
    ArgReduceOp,
    Array,
    BinaryOp,
    IndexKey,
    ReduceOp,
    Shape,
    UnaryOp,
    Window2d,
)


def _sigmoid(xp: ModuleType) -> Callable[[Array], Array]:
    def sigmoid(x: Array) -> Array:
        # 0.5 * (1 + tanh(x/2)) is exact in the tails, where 1/(1+exp(-x)) overflows.
        half = x.dtype.type(0.5)
        return half * (xp.tanh(x * half) + x.dtype.type(1))

    return sigmoid


def unary_table(xp: ModuleType) -> dict[UnaryOp, Callable[[Array], Array]]:
    """Map each :class:`UnaryOp` to the array module's ufunc."""
    return {
        UnaryOp.NEG: xp.negative,
        UnaryOp.EXP: xp.exp,
        UnaryOp.LOG: xp.log,
        UnaryOp.SQRT: xp.sqrt,
        UnaryOp.ABS: xp.abs,
        UnaryOp.SIGN: xp.sign,
        UnaryOp.SIN: xp.sin,
        UnaryOp.COS: xp.cos,
        UnaryOp.TANH: xp.tanh,
        UnaryOp.SIGMOID: _sigmoid(xp),
        UnaryOp.FLOOR: xp.floor,
        UnaryOp.CEIL: xp.ceil,
    }


def binary_table(xp: ModuleType) -> dict[BinaryOp, Callable[[Array, Array], Array]]:
    """Map each :class:`BinaryOp` to the array module's ufunc."""
    return {
        BinaryOp.ADD: xp.add,
        BinaryOp.SUB: xp.subtract,
        BinaryOp.MUL: xp.multiply,
        BinaryOp.DIV: xp.true_divide,
        BinaryOp.POW: xp.power,
        BinaryOp.MAXIMUM: xp.maximum,
        BinaryOp.MINIMUM: xp.minimum,
        BinaryOp.EQ: xp.equal,
        BinaryOp.NE: xp.not_equal,
        BinaryOp.LT: xp.less,
        BinaryOp.LE: xp.less_equal,
        BinaryOp.GT: xp.greater,
        BinaryOp.GE: xp.greater_equal,
        BinaryOp.LOGICAL_AND: xp.logical_and,
        BinaryOp.LOGICAL_OR: xp.logical_or,
    }


def reduce(xp: ModuleType, op: ReduceOp, x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    """Sum/max/min over ``axes``; an empty ``axes`` returns a copy."""
    if not axes:
        return x.copy()
    fn = {ReduceOp.SUM: xp.sum, ReduceOp.MAX: xp.max, ReduceOp.MIN: xp.min}[op]
    return xp.asarray(fn(x, axis=axes, keepdims=keepdims), dtype=x.dtype)


def arg_reduce(xp: ModuleType, op: ArgReduceOp, x: Array, axis: int, keepdims: bool) -> Array:
    """First index of the max/min along ``axis``, as int32."""
    fn = xp.argmax if op is ArgReduceOp.ARGMAX else xp.argmin
    out = fn(x, axis=axis)
    if keepdims:
        out = xp.expand_dims(out, axis)
    return out.astype(np.int32)


def take(xp: ModuleType, x: Array, indices: Array, axis: int) -> Array:
    """Gather along ``axis``."""
    return xp.take(x, indices, axis=axis)


def scatter_add(xp: ModuleType, shape: Shape, indices: Array, values: Array, axis: int) -> Array:
    """Zeros of ``shape`` with ``values`` summed in at ``indices`` along ``axis``.

    ``values`` has shape ``shape[:axis] + indices.shape + shape[axis+1:]``, as
    :func:`take` produced it.
    """
    out = xp.zeros(shape, dtype=values.dtype)
    flat = values.reshape(tuple(shape[:axis]) + (indices.size,) + tuple(shape[axis + 1 :]))
    xp.add.at(out, (slice(None),) * axis + (indices.reshape(-1),), flat)
    return out


def index(xp: ModuleType, x: Array, key: IndexKey) -> Array:
    """Basic indexing with a normalized key; always returns a new array."""
    return xp.array(x[key])


def concat(xp: ModuleType, xs: Sequence[Array], axis: int) -> Array:
    return xp.concatenate(list(xs), axis=axis)


def matmul(xp: ModuleType, a: Array, b: Array) -> Array:
    return xp.matmul(a, b)


def pad_nchw(xp: ModuleType, x: Array, window: Window2d, value: float) -> Array:
    """Pad the two spatial axes of ``x`` as ``window.padding`` says."""
    top, bottom, left, right = window.padding
    if not any(window.padding):
        return x
    return xp.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def im2col(xp: ModuleType, x: Array, window: Window2d, pad_value: float) -> Array:
    """``(N, C, H, W)`` to ``(N, C*kh*kw, OH*OW)``: one strided gather per kernel tap."""
    n, c, h, w = x.shape
    kh, kw = window.kernel
    sh, sw = window.stride
    dh, dw = window.dilation
    oh, ow = window.output_size(h, w)
    padded = pad_nchw(xp, x, window, pad_value)
    cols = xp.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dh, j * dw
            cols[:, :, i, j] = padded[:, :, r0 : r0 + sh * (oh - 1) + 1 : sh, c0 : c0 + sw * (ow - 1) + 1 : sw]
    return cols.reshape(n, c * kh * kw, oh * ow)


def col2im(xp: ModuleType, cols: Array, input_shape: Shape, window: Window2d) -> Array:
    """The adjoint of :func:`im2col`: overlapping taps are summed."""
    n, c, h, w = input_shape
    kh, kw = window.kernel
    sh, sw = window.stride
    dh, dw = window.dilation
    top, bottom, left, right = window.padding
    oh, ow = window.output_size(h, w)
    taps = cols.reshape(n, c, kh, kw, oh, ow)
    padded = xp.zeros((n, c, h + top + bottom, w + left + right), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dh, j * dw
            padded[:, :, r0 : r0 + sh * (oh - 1) + 1 : sh, c0 : c0 + sw * (ow - 1) + 1 : sw] += taps[:, :, i, j]
    return padded[:, :, top : top + h, left : left + w].copy()


def _disjoint_tiles(window: Window2d) -> bool:
    """Whether the windows tile the image without overlap, gaps or padding (stride = kernel)."""
    return window.stride == window.kernel and window.dilation == (1, 1) and not any(window.padding)


def _window_taps(xp: ModuleType, x: Array, window: Window2d) -> Array:
    """The taps of every window of ``x`` on a last axis: ``(N, C, OH, OW, kh*kw)``, padding -inf.

    Tiling windows are a reshape of a cropped view (one copy); others go through
    :func:`im2col`.
    """
    n, c, h, w = x.shape
    kh, kw = window.kernel
    oh, ow = window.output_size(h, w)
    if _disjoint_tiles(window):
        tiles = x[:, :, : oh * kh, : ow * kw].reshape(n, c, oh, kh, ow, kw)
        return tiles.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, kh * kw)
    cols = im2col(xp, x.reshape(n * c, 1, h, w), window, -np.inf)
    return cols.reshape(n, c, kh * kw, oh, ow).transpose(0, 1, 3, 4, 2)


def max_pool2d(xp: ModuleType, x: Array, window: Window2d) -> tuple[Array, Array]:
    """Window maxima of NCHW ``x`` and the first maximal tap ``i*kw + j`` of each (int32)."""
    taps = _window_taps(xp, x, window)
    first = xp.argmax(taps, axis=-1)
    values = xp.take_along_axis(taps, first[..., None], axis=-1)[..., 0]
    return values, first.astype(np.int32)


def max_pool2d_grad(xp: ModuleType, grad: Array, taps: Array, input_shape: Shape, window: Window2d) -> Array:
    """The adjoint of :func:`max_pool2d`: each window's gradient is added, from zeros, to its
    chosen tap; the other taps get exactly ``+0.0`` (MindSpore's MaxPoolGrad and the compiled
    kernel), even where a gradient is NaN, infinite or ``-0.0``.

    The taps are picked with ``where``: a product with the mask would spread NaN and
    ``-0.0`` to the taps not chosen, and it also ran slower (606 against 362 us for
    LeNet5's second pool at batch 32, numpy 2.4).
    """
    n, c, h, w = input_shape
    kh, kw = window.kernel
    oh, ow = grad.shape[2], grad.shape[3]
    chosen = taps[..., None] == xp.arange(kh * kw, dtype=np.int32)
    spread = xp.where(chosen, grad[..., None], xp.zeros((), dtype=grad.dtype))
    if _disjoint_tiles(window):
        dx = xp.zeros(tuple(input_shape), dtype=grad.dtype)
        tiles = spread.reshape(n, c, oh, ow, kh, kw).transpose(0, 1, 2, 4, 3, 5)
        dx[:, :, : oh * kh, : ow * kw] += tiles.reshape(n, c, oh * kh, ow * kw)  # from zeros: -0.0 adds to +0.0
        return dx
    cols = spread.transpose(0, 1, 4, 2, 3).reshape(n * c, kh * kw, oh * ow)
    return col2im(xp, cols, (n * c, 1, h, w), window).reshape(tuple(input_shape))


def full(xp: ModuleType, shape: Shape, value: Any, dtype: np.dtype[Any]) -> Array:
    return xp.full(shape, value, dtype=dtype)
