"""``CupyBackend``: the array-API primitives on CuPy plus a CUDA fused-momentum kernel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from minispore.backend.array_api import ArrayApiBackend
from minispore.backend.protocol import Array, Availability, Shape, UpdateStep
from minispore_cupy.update import FusedUpdate

INSTALL_HINT = "pip install 'minispore[cuda]' (CuPy for CUDA 13) on a machine with an NVIDIA GPU and driver"
NO_DEVICE_HINT = "run on a machine with an NVIDIA GPU and its driver, or pick another device (python -m minispore.backend lists them)"


class CupyBackend(ArrayApiBackend):
    """minispore's ``"GPU"`` device (``"GPU:1"`` for the second GPU)."""

    device_target: ClassVar[str] = "GPU"
    install_hint: ClassVar[str] = INSTALL_HINT

    def __init__(self, device_index: int = 0) -> None:
        import cupy

        count = int(cupy.cuda.runtime.getDeviceCount())
        if not 0 <= device_index < count:
            raise ValueError(f"GPU:{device_index} does not exist: this machine has {count} CUDA device(s).")
        super().__init__(cupy)
        self._index = device_index
        self._device = cupy.cuda.Device(device_index)
        self._device.use()
        self._update = FusedUpdate(cupy)

    def __repr__(self) -> str:
        return f"CupyBackend(GPU:{self._index})"

    @classmethod
    def availability(cls) -> Availability:
        """Import CuPy and ask the CUDA runtime for devices; never raises."""
        try:
            import cupy
        except ModuleNotFoundError as exc:
            if exc.name != "cupy":
                return Availability(False, f"CuPy is installed but cannot be imported ({exc})", INSTALL_HINT)
            return Availability(False, "CuPy is not installed", INSTALL_HINT)
        except Exception as exc:  # a broken CUDA library
            return Availability(
                False, f"CuPy is installed but cannot be imported ({type(exc).__name__}: {exc})", INSTALL_HINT
            )
        try:
            count = int(cupy.cuda.runtime.getDeviceCount())
        except Exception as exc:
            return Availability(
                False, f"CuPy is installed but no CUDA device answered ({type(exc).__name__}: {exc})", NO_DEVICE_HINT
            )
        if count == 0:
            return Availability(False, "CuPy is installed but the CUDA runtime reports no device", NO_DEVICE_HINT)
        return Availability(True, devices=tuple(_device_name(cupy, i) for i in range(count)))

    @property
    def device_index(self) -> int:
        return self._index

    def from_numpy(self, array: np.ndarray[Any, Any]) -> Array:
        with self._device:
            return self.xp.array(array, order="C", copy=True)

    def to_numpy(self, x: Array) -> np.ndarray[Any, Any]:
        out: np.ndarray[Any, Any] = self.xp.asnumpy(x)
        return out

    def synchronize(self) -> None:
        self._device.synchronize()

    def scatter_add(self, shape: Shape, indices: Array, values: Array, axis: int) -> Array:
        import cupyx

        out = self.xp.zeros(shape, dtype=values.dtype)
        flat = values.reshape(tuple(shape[:axis]) + (indices.size,) + tuple(shape[axis + 1 :]))
        cupyx.scatter_add(out, (slice(None),) * axis + (indices.reshape(-1),), flat)
        return out

    def fused_update(self, step: UpdateStep, param: Array, states: Sequence[Array], grads: Sequence[Array]) -> None:
        self._update(step, param, states, grads)


def _device_name(cupy: Any, index: int) -> str:
    try:
        name = cupy.cuda.runtime.getDeviceProperties(index)["name"]
    except Exception:  # a name is only for display
        return f"CUDA device {index}"
    return name.decode() if isinstance(name, bytes) else str(name)
