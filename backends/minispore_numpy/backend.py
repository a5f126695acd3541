"""The NumPy backend class: host memory, NumPy ufuncs and BLAS.

Float16 products (``matmul``, and so every convolution, which is ``im2col`` + ``matmul``)
are computed in float32 and rounded to float16 once. That is what MindSpore's CPU kernels
do (the same bits for ``MatMul`` and ``Conv2D``), and it is much faster than NumPy's
native float16 loops, which have no BLAS. (``col2im`` does the same, for NumPy and CuPy
alike, in :class:`~minispore.backend.array_api.ArrayApiBackend`.)
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from minispore.backend.array_api import ArrayApiBackend
from minispore.backend.protocol import Array, Availability, Shape, UpdateStep, Window2d
from minispore_numpy import fused_update, native, windows
from minispore_numpy.allocator import keep_freed_memory


class NumpyBackend(ArrayApiBackend):
    """minispore's ``"CPU"`` device and the reference every other backend is tested against."""

    device_target: ClassVar[str] = "CPU"
    install_hint: ClassVar[str] = "reinstall minispore (pip install . in its source tree)"

    def __init__(self, device_index: int = 0) -> None:
        if device_index != 0:
            raise ValueError(f"The CPU device has only index 0, but got {device_index}.")
        super().__init__(np)
        keep_freed_memory()

    def __repr__(self) -> str:
        return "NumpyBackend(CPU:0)"

    @classmethod
    def availability(cls) -> Availability:
        """Always available; the note (``reason``) says whether the compiled update kernels are in use."""
        machine = f"{platform.machine() or 'host'} CPU, NumPy {np.__version__}"
        return Availability(True, native.status().reason, devices=(machine,))

    @property
    def device_index(self) -> int:
        return 0

    def from_numpy(self, array: np.ndarray[Any, Any]) -> Array:
        return np.array(array, order="C", copy=True)

    def to_numpy(self, x: Array) -> np.ndarray[Any, Any]:
        return np.array(x, copy=True)

    def synchronize(self) -> None:
        return None

    def matmul(self, a: Array, b: Array) -> Array:
        if a.dtype == np.float16:
            return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
        return super().matmul(a, b)

    def where(self, condition: Array, x: Array, y: Array) -> Array:
        """The compiled select for a bool condition and float32/float64 operands of its shape
        (``y`` may be 0-d), all C-contiguous; NumPy's ``where`` otherwise. The same values."""
        if (
            native.select_module is not None
            and condition.dtype == np.bool_
            and x.dtype == y.dtype
            and x.dtype in windows.DTYPE_CODES
            and x.shape == condition.shape
            and (y.shape == x.shape or y.ndim == 0)
            and condition.flags.c_contiguous
            and x.flags.c_contiguous
            and y.flags.c_contiguous
        ):
            out = np.empty(x.shape, x.dtype)
            native.select_module.select(windows.DTYPE_CODES[x.dtype], condition, x, y, out)
            return out
        return super().where(condition, x, y)

    # windows: the compiled kernels for float32 and float64, the array-module versions otherwise
    def im2col(self, x: Array, window: Window2d, pad_value: float) -> Array:
        if windows.compiled(x.dtype):
            return windows.im2col(x, window, pad_value)
        return super().im2col(x, window, pad_value)

    def col2im(self, cols: Array, input_shape: Shape, window: Window2d) -> Array:
        if windows.compiled(cols.dtype):
            return windows.col2im(cols, input_shape, window)
        return super().col2im(cols, input_shape, window)

    def max_pool2d(self, x: Array, window: Window2d) -> tuple[Array, Array]:
        if windows.compiled(x.dtype):
            return windows.max_pool2d(x, window)
        return super().max_pool2d(x, window)

    def max_pool2d_grad(self, grad: Array, taps: Array, input_shape: Shape, window: Window2d) -> Array:
        if windows.compiled(grad.dtype):
            return windows.max_pool2d_grad(grad, taps, input_shape, window)
        return super().max_pool2d_grad(grad, taps, input_shape, window)

    def fused_update(self, step: UpdateStep, param: Array, states: Sequence[Array], grads: Sequence[Array]) -> None:
        fused_update.fused_update(step, param, states, grads)
