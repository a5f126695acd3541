"""The NumPy backend class: the protocol's primitives as NumPy calls."""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

import numpy as np

from minispore.backend.protocol import (
    Array,
    ArgReduceOp,
    Availability,
    BinaryOp,
    IndexKey,
    MomentumStep,
    ReduceOp,
    Shape,
    UnaryOp,
    Window2d,
)
from minispore_numpy import ops
from minispore_numpy.fused_momentum import fused_momentum

_UNARY = ops.unary_table(np)
_BINARY = ops.binary_table(np)


class NumpyBackend:
    """minispore's ``"CPU"`` device: host memory, NumPy ufuncs and BLAS."""

    device_target: ClassVar[str] = "CPU"
    install_hint: ClassVar[str] = "pip install minispore"

    def __init__(self, device_index: int = 0) -> None:
        if device_index != 0:
            raise ValueError(f"The CPU device has only index 0, but got {device_index}.")

    def __repr__(self) -> str:
        return "NumpyBackend(CPU:0)"

    @classmethod
    def availability(cls) -> Availability:
        return Availability(True)

    @property
    def device_index(self) -> int:
        return 0

    def supports_dtype(self, dtype: np.dtype[Any]) -> bool:
        return True

    def from_numpy(self, array: np.ndarray[Any, Any]) -> Array:
        return np.array(array, order="C", copy=True)

    def to_numpy(self, x: Array) -> np.ndarray[Any, Any]:
        return np.array(x, copy=True)

    def synchronize(self) -> None:
        return None

    def full(self, shape: Shape, value: float | int | bool, dtype: np.dtype[Any]) -> Array:
        return ops.full(np, shape, value, dtype)

    def view(self, buffer: Array, offset: int, shape: Shape) -> Array:
        size = int(np.prod(shape, dtype=np.int64))
        return buffer[offset : offset + size].reshape(shape)

    def copy_into(self, dst: Array, src: Array) -> None:
        np.copyto(dst, src, casting="unsafe")

    def setitem(self, x: Array, key: IndexKey, value: Array) -> None:
        x[key] = value

    def unary(self, op: UnaryOp, x: Array) -> Array:
        return _UNARY[op](x)

    def binary(self, op: BinaryOp, x: Array, y: Array) -> Array:
        return np.asarray(_BINARY[op](x, y))

    def where(self, condition: Array, x: Array, y: Array) -> Array:
        return np.where(condition, x, y)

    def cast(self, x: Array, dtype: np.dtype[Any]) -> Array:
        return x.astype(dtype)

    def reduce(self, op: ReduceOp, x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
        return ops.reduce(np, op, x, axes, keepdims)

    def arg_reduce(self, op: ArgReduceOp, x: Array, axis: int, keepdims: bool) -> Array:
        return ops.arg_reduce(np, op, x, axis, keepdims)

    def reshape(self, x: Array, shape: Shape) -> Array:
        return x.reshape(shape)

    def transpose(self, x: Array, perm: tuple[int, ...]) -> Array:
        return x.transpose(perm)

    def broadcast_to(self, x: Array, shape: Shape) -> Array:
        return np.broadcast_to(x, shape)

    def index(self, x: Array, key: IndexKey) -> Array:
        return ops.index(np, x, key)

    def concat(self, xs: Sequence[Array], axis: int) -> Array:
        return ops.concat(np, xs, axis)

    def take(self, x: Array, indices: Array, axis: int) -> Array:
        return ops.take(np, x, indices, axis)

    def scatter_add(self, shape: Shape, indices: Array, values: Array, axis: int) -> Array:
        return ops.scatter_add(np, shape, indices, values, axis)

    def matmul(self, a: Array, b: Array) -> Array:
        return ops.matmul(np, a, b)

    def im2col(self, x: Array, window: Window2d, pad_value: float) -> Array:
        return ops.im2col(np, x, window, pad_value)

    def col2im(self, cols: Array, input_shape: Shape, window: Window2d) -> Array:
        return ops.col2im(np, cols, input_shape, window)

    def fused_momentum(self, param: Array, moment: Array, grad: Array, step: MomentumStep) -> None:
        fused_momentum(param, moment, grad, step)
