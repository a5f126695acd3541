"""The OpenCL backend class: the protocol's primitives as OpenCL kernels.

Arrays are ``pyopencl.array.Array`` objects; views share their buffer at an offset and
may have any strides (``broadcast_to`` gives stride 0). Every kernel takes a buffer plus
an element offset and strides, so views never need a sub-buffer or a copy, except where a
kernel documents that it reads contiguous input (windows, gathers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from minispore.backend.protocol import (
    ArgReduceOp,
    Array,
    Availability,
    BinaryOp,
    IndexKey,
    ReduceOp,
    Shape,
    UnaryOp,
    UpdateStep,
    Window2d,
)
from minispore_opencl import device, elementwise, gather, linalg, movement, reduction, update
from minispore_opencl import window as window_ops
from minispore_opencl.scalar_types import SUPPORTED

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime


class OpenCLBackend:
    """minispore's ``"OpenCL"`` device: one OpenCL device, one in-order command queue.

    Example:
        >>> import minispore as ms
        >>> ms.set_device("OpenCL")  # doctest: +SKIP
    """

    device_target: ClassVar[str] = "OpenCL"
    install_hint: ClassVar[str] = device.INSTALL_HINT

    def __init__(self, device_index: int = 0) -> None:
        # Importing the runtime imports PyOpenCL: only once a device is actually opened.
        from minispore_opencl.runtime import Runtime

        self._index = device_index
        self._rt: Runtime = Runtime(device.select(device_index))

    def __repr__(self) -> str:
        return f"OpenCLBackend(OpenCL:{self._index}, {self._rt.name!r})"

    @classmethod
    def availability(cls) -> Availability:
        return device.probe()

    @property
    def device_index(self) -> int:
        return self._index

    def supports_dtype(self, dtype: np.dtype[Any]) -> bool:
        dtype = np.dtype(dtype)
        return dtype in SUPPORTED and (dtype != np.float64 or self._rt.fp64)

    def _check_dtype(self, dtype: np.dtype[Any]) -> None:
        if not self.supports_dtype(dtype):
            extra = " (the device lacks cl_khr_fp64)" if np.dtype(dtype) == np.float64 else ""
            raise TypeError(
                f"The OpenCL device {self._rt.name!r} cannot hold dtype {np.dtype(dtype)}{extra}; "
                "cast to float32 or another supported dtype first."
            )

    # transfer -------------------------------------------------------------------
    def from_numpy(self, array: np.ndarray[Any, Any]) -> Array:
        self._check_dtype(array.dtype)
        return self._rt.to_device(array)

    def to_numpy(self, x: Array) -> np.ndarray[Any, Any]:
        return self._rt.to_host(elementwise.contiguous(self._rt, x))

    def synchronize(self) -> None:
        self._rt.finish()

    # creation and memory ----------------------------------------------------------
    def full(self, shape: Shape, value: float | int | bool, dtype: np.dtype[Any]) -> Array:
        self._check_dtype(dtype)
        return elementwise.full(self._rt, tuple(shape), value, np.dtype(dtype))

    def view(self, buffer: Array, offset: int, shape: Shape) -> Array:
        return movement.view(self._rt, buffer, offset, tuple(shape))

    def copy_into(self, dst: Array, src: Array) -> None:
        elementwise.copy_into(self._rt, dst, src)

    def setitem(self, x: Array, key: IndexKey, value: Array) -> None:
        movement.setitem(self._rt, x, key, value)

    # elementwise --------------------------------------------------------------------
    def unary(self, op: UnaryOp, x: Array) -> Array:
        return elementwise.unary(self._rt, op, x)

    def binary(self, op: BinaryOp, x: Array, y: Array) -> Array:
        return elementwise.binary(self._rt, op, x, y)

    def where(self, condition: Array, x: Array, y: Array) -> Array:
        return elementwise.where(self._rt, condition, x, y)

    def cast(self, x: Array, dtype: np.dtype[Any]) -> Array:
        self._check_dtype(dtype)
        return elementwise.cast(self._rt, x, np.dtype(dtype))

    # reductions ---------------------------------------------------------------------
    def reduce(self, op: ReduceOp, x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
        return reduction.reduce(self._rt, op, x, tuple(axes), keepdims)

    def arg_reduce(self, op: ArgReduceOp, x: Array, axis: int, keepdims: bool) -> Array:
        return reduction.arg_reduce(self._rt, op, x, axis, keepdims)

    # movement -----------------------------------------------------------------------
    def reshape(self, x: Array, shape: Shape) -> Array:
        return movement.reshape(self._rt, x, tuple(shape))

    def transpose(self, x: Array, perm: tuple[int, ...]) -> Array:
        return movement.transpose(self._rt, x, tuple(perm))

    def broadcast_to(self, x: Array, shape: Shape) -> Array:
        return movement.broadcast_to(self._rt, x, tuple(shape))

    def index(self, x: Array, key: IndexKey) -> Array:
        return movement.index(self._rt, x, key)

    def concat(self, xs: Sequence[Array], axis: int) -> Array:
        return movement.concat(self._rt, xs, axis)

    def take(self, x: Array, indices: Array, axis: int) -> Array:
        return gather.take(self._rt, x, indices, axis)

    def scatter_add(self, shape: Shape, indices: Array, values: Array, axis: int) -> Array:
        return gather.scatter_add(self._rt, tuple(shape), indices, values, axis)

    # linear algebra and windows -----------------------------------------------------
    def matmul(self, a: Array, b: Array) -> Array:
        return linalg.matmul(self._rt, a, b)

    def im2col(self, x: Array, window: Window2d, pad_value: float) -> Array:
        return window_ops.im2col(self._rt, x, window, pad_value)

    def col2im(self, cols: Array, input_shape: Shape, window: Window2d) -> Array:
        return window_ops.col2im(self._rt, cols, tuple(input_shape), window)

    def max_pool2d(self, x: Array, window: Window2d) -> tuple[Array, Array]:
        return window_ops.max_pool2d(self._rt, x, window)

    def max_pool2d_grad(self, grad: Array, taps: Array, input_shape: Shape, window: Window2d) -> Array:
        return window_ops.max_pool2d_grad(self._rt, grad, taps, tuple(input_shape), window)

    # optimizer ----------------------------------------------------------------------
    def fused_update(self, step: UpdateStep, param: Array, states: Sequence[Array], grads: Sequence[Array]) -> None:
        """One launch per batch of gradients, each read where it lies (see :mod:`minispore_opencl.update`)."""
        update.fused_update(self._rt, step, param, states, grads)
