"""The NumPy backend class: host memory, NumPy ufuncs and BLAS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from minispore.backend.protocol import Array, Availability, MomentumStep, Shape, Window2d
from minispore_numpy import windows
from minispore_numpy.allocator import keep_freed_memory
from minispore_numpy.array_api import ArrayApiBackend
from minispore_numpy.fused_momentum import fused_momentum


class NumpyBackend(ArrayApiBackend):
    """minispore's ``"CPU"`` device and the reference every other backend is tested against."""

    device_target: ClassVar[str] = "CPU"
    install_hint: ClassVar[str] = "pip install minispore"

    def __init__(self, device_index: int = 0) -> None:
        if device_index != 0:
            raise ValueError(f"The CPU device has only index 0, but got {device_index}.")
        super().__init__(np)
        keep_freed_memory()

    def __repr__(self) -> str:
        return "NumpyBackend(CPU:0)"

    @classmethod
    def availability(cls) -> Availability:
        return Availability(True)

    @property
    def device_index(self) -> int:
        return 0

    def from_numpy(self, array: np.ndarray[Any, Any]) -> Array:
        return np.array(array, order="C", copy=True)

    def to_numpy(self, x: Array) -> np.ndarray[Any, Any]:
        return np.array(x, copy=True)

    def synchronize(self) -> None:
        return None

    def im2col(self, x: Array, window: Window2d, pad_value: float) -> Array:
        return windows.im2col(x, window, pad_value)

    def col2im(self, cols: Array, input_shape: Shape, window: Window2d) -> Array:
        return windows.col2im(cols, input_shape, window)

    def max_pool2d(self, x: Array, window: Window2d) -> tuple[Array, Array]:
        return windows.max_pool2d(x, window)

    def max_pool2d_grad(self, grad: Array, taps: Array, input_shape: Shape, window: Window2d) -> Array:
        return windows.max_pool2d_grad(grad, taps, input_shape, window)

    def fused_momentum(self, param: Array, moment: Array, grads: Sequence[Array], step: MomentumStep) -> None:
        fused_momentum(param, moment, grads, step)
