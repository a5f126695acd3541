"""A backend written once for every array module with NumPy's API (NumPy, CuPy, ...).

It lives in the core so that any plugin whose arrays follow NumPy's API subclasses it
without importing another plugin (the CuPy backend no longer imports the NumPy one).
Subclasses pass their array module ``xp`` and provide the device-specific parts:
availability, transfer, synchronization and, if they like, a fused optimizer update.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from minispore.backend import array_ops as ops
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


class ArrayApiBackend:
    """The protocol's primitives as calls on the array module ``xp``."""

    def __init__(self, xp: ModuleType) -> None:
        self.xp = xp
        self._unary = ops.unary_table(xp)
        self._binary = ops.binary_table(xp)

    def supports_dtype(self, dtype: np.dtype[Any]) -> bool:
        return True

    def full(self, shape: Shape, value: float | int | bool, dtype: np.dtype[Any]) -> Array:
        return ops.full(self.xp, shape, value, dtype)

    def view(self, buffer: Array, offset: int, shape: Shape) -> Array:
        size = int(np.prod(shape, dtype=np.int64))
        return buffer[offset : offset + size].reshape(shape)

    def copy_into(self, dst: Array, src: Array) -> None:
        self.xp.copyto(dst, src, casting="unsafe")

    def setitem(self, x: Array, key: IndexKey, value: Array) -> None:
        x[key] = value

    def unary(self, op: UnaryOp, x: Array) -> Array:
        return self._unary[op](x)

    def binary(self, op: BinaryOp, x: Array, y: Array) -> Array:
        return self.xp.asarray(self._binary[op](x, y))

    def where(self, condition: Array, x: Array, y: Array) -> Array:
        return self.xp.where(condition, x, y)

    def cast(self, x: Array, dtype: np.dtype[Any]) -> Array:
        return x.astype(dtype)

    def reduce(self, op: ReduceOp, x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
        return ops.reduce(self.xp, op, x, axes, keepdims)

    def arg_reduce(self, op: ArgReduceOp, x: Array, axis: int, keepdims: bool) -> Array:
        return ops.arg_reduce(self.xp, op, x, axis, keepdims)

    def reshape(self, x: Array, shape: Shape) -> Array:
        return x.reshape(shape)

    def transpose(self, x: Array, perm: tuple[int, ...]) -> Array:
        return x.transpose(perm)

    def broadcast_to(self, x: Array, shape: Shape) -> Array:
        return self.xp.broadcast_to(x, shape)

    def index(self, x: Array, key: IndexKey) -> Array:
        return ops.index(self.xp, x, key)

    def concat(self, xs: Sequence[Array], axis: int) -> Array:
        return ops.concat(self.xp, xs, axis)

    def take(self, x: Array, indices: Array, axis: int) -> Array:
        return ops.take(self.xp, x, indices, axis)

    def scatter_add(self, shape: Shape, indices: Array, values: Array, axis: int) -> Array:
        return ops.scatter_add(self.xp, shape, indices, values, axis)

    def matmul(self, a: Array, b: Array) -> Array:
        return ops.matmul(self.xp, a, b)

    def im2col(self, x: Array, window: Window2d, pad_value: float) -> Array:
        return ops.im2col(self.xp, x, window, pad_value)

    def col2im(self, cols: Array, input_shape: Shape, window: Window2d) -> Array:
        # Float16 taps are summed in float32 and rounded once, as MindSpore's kernels do.
        if cols.dtype == np.float16:
            return ops.col2im(self.xp, cols.astype(np.float32), input_shape, window).astype(np.float16)
        return ops.col2im(self.xp, cols, input_shape, window)

    def max_pool2d(self, x: Array, window: Window2d) -> tuple[Array, Array]:
        return ops.max_pool2d(self.xp, x, window)

    def max_pool2d_grad(self, grad: Array, taps: Array, input_shape: Shape, window: Window2d) -> Array:
        return ops.max_pool2d_grad(self.xp, grad, taps, input_shape, window)
