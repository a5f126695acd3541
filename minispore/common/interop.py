"""Sharing memory with NumPy and DLPack producers: ``ms.from_numpy``, ``ms.from_dlpack``,
``ms.to_dlpack``.

A backend whose device arrays are NumPy arrays (the ``"CPU"`` device) can adopt host
memory, so ``from_numpy`` and ``from_dlpack`` share it there, as MindSpore's CPU build
does: writing into the NumPy array changes the Tensor. Other devices cannot see host
memory; there ``from_numpy`` copies, and DLPack works where the device's arrays speak it
(CuPy's do, PyOpenCL's do not: a clear error says so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minispore.backend.protocol import Backend
from minispore.common import dtype as mstype

if TYPE_CHECKING:
    from minispore.common.tensor import Tensor


def adopts_host_memory(backend: Backend) -> bool:
    """Whether ``backend``'s device arrays are NumPy arrays (host memory it can adopt)."""
    return type(backend.from_numpy(np.zeros(1, np.float32))) is np.ndarray


def _default_backend() -> Backend:
    from minispore.context import default_backend

    return default_backend()


def from_numpy(array: np.ndarray[Any, Any]) -> Tensor:
    """A Tensor on the default device that shares ``array``'s memory where it can.

    On the CPU device a C-contiguous array is shared (writes to either show in both); a
    strided one is copied, as in MindSpore. On other devices the data is copied.

    Raises:
        TypeError: ``array`` is not a ``numpy.ndarray``, or its dtype is not supported.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> a = np.zeros(2, np.float32)
        >>> t = ms.from_numpy(a)
        >>> a[0] = 5.0
        >>> print(t)
        [5. 0.]
    """
    from minispore.common.tensor import Tensor

    if not isinstance(array, np.ndarray):
        raise TypeError(f"For 'from_numpy', 'array' must be a numpy.ndarray, but got {type(array).__name__}.")
    mstype.from_numpy_dtype(array.dtype)
    backend = _default_backend()
    if adopts_host_memory(backend) and array.flags.c_contiguous and backend.supports_dtype(array.dtype):
        return Tensor._from_array(array, backend)
    return Tensor(array)


class _Capsule:
    """Wraps a bare DLPack capsule (``ms.to_dlpack``'s result) for ``numpy.from_dlpack``."""

    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self._capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)  # kDLCPU: a capsule from a host array


def from_dlpack(dlpack: Any) -> Tensor:
    """A Tensor sharing the memory of a DLPack producer, on the CPU device.

    Args:
        dlpack: an object with ``__dlpack__`` (a NumPy array, a minispore Tensor, a torch
            CPU tensor, …) or a capsule made by :func:`to_dlpack` from a CPU tensor.

    Raises:
        RuntimeError: the default device cannot adopt host memory; use ``from_numpy``
            (it copies) or ``ms.set_device("CPU")``.
        BufferError: the producer's memory is not on the host.
    """
    backend = _default_backend()
    if not adopts_host_memory(backend):
        raise RuntimeError(
            f"For 'from_dlpack', the default device {backend.device_target} cannot share host memory; "
            "call ms.set_device('CPU') first, or copy with ms.Tensor(np.from_dlpack(obj))."
        )
    source = dlpack if hasattr(dlpack, "__dlpack__") else _Capsule(dlpack)
    return from_numpy(np.ascontiguousarray(np.from_dlpack(source)))


def to_dlpack(tensor: Tensor) -> Any:
    """The DLPack capsule of ``tensor`` (``tensor.__dlpack__()``)."""
    return tensor.__dlpack__()
