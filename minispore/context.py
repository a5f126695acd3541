"""Global context: the default device, the execution mode and the random seed.

``ms.set_device("OpenCL")`` and ``ms.set_context(device_target="OpenCL")`` choose where
new tensors are created. The ``MINISPORE_DEVICE`` environment variable sets the default
before any call (for example ``MINISPORE_DEVICE=OpenCL:1 python train.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minispore.backend.protocol import Backend
from minispore.backend.registry import DeviceSpec, get_backend
from minispore.parallel.auto_parallel_context import (  # MindSpore scripts reach these through ms.context
    ParallelMode as ParallelMode,
)
from minispore.parallel.auto_parallel_context import (
    get_auto_parallel_context as get_auto_parallel_context,
)
from minispore.parallel.auto_parallel_context import (
    reset_auto_parallel_context as reset_auto_parallel_context,
)
from minispore.parallel.auto_parallel_context import (
    set_auto_parallel_context as set_auto_parallel_context,
)

PYNATIVE_MODE = 1
GRAPH_MODE = 0
DEVICE_ENV_VAR = "MINISPORE_DEVICE"


@dataclass
class _Context:
    device: str = field(default_factory=lambda: os.environ.get(DEVICE_ENV_VAR, "CPU"))
    mode: int = PYNATIVE_MODE
    seed: int | None = None
    rng: np.random.Generator = field(default_factory=np.random.default_rng)


_ctx = _Context()


def default_backend() -> Backend:
    """The backend that new tensors are created on."""
    return get_backend(_ctx.device)


def set_device(device_target: str, device_id: int | None = None) -> None:
    """Choose the default device for new tensors, as ``mindspore.set_device`` does.

    Args:
        device_target: ``"CPU"``, ``"GPU"``, ``"OpenCL"`` (or any installed backend's
            target), optionally with an index: ``"OpenCL:1"``.
        device_id: the device index, instead of the ``":N"`` suffix.

    Raises:
        BackendUnavailableError: the device is not installed or cannot run here.

    Example:
        >>> import minispore as ms
        >>> ms.set_device("CPU")
    """
    spec = DeviceSpec.parse(device_target)
    index = spec.index if device_id is None else int(device_id)
    name = f"{spec.target}:{index}" if index else spec.target
    get_backend(name)
    _ctx.device = name


def get_device() -> str:
    """The default device string, such as ``"CPU"`` or ``"OpenCL:1"``."""
    return _ctx.device


def set_context(**kwargs: Any) -> None:
    """MindSpore's ``set_context``: ``device_target``, ``device_id`` and ``mode``.

    Other MindSpore keys (``save_graphs``, ``jit_config``, …) are accepted and ignored,
    since minispore runs every mode eagerly.

    Raises:
        ValueError: ``mode`` is not ``PYNATIVE_MODE`` or ``GRAPH_MODE``.
    """
    if "mode" in kwargs:
        if kwargs["mode"] not in (PYNATIVE_MODE, GRAPH_MODE):
            raise ValueError(
                f"For 'set_context', 'mode' must be ms.PYNATIVE_MODE or ms.GRAPH_MODE, but got {kwargs['mode']!r}."
            )
        _ctx.mode = int(kwargs["mode"])
    if "device_target" in kwargs:
        set_device(kwargs["device_target"], kwargs.get("device_id"))
    elif "device_id" in kwargs:
        set_device(DeviceSpec.parse(_ctx.device).target, kwargs["device_id"])


def get_context(key: str) -> Any:
    """Read ``device_target``, ``device_id`` or ``mode``."""
    spec = DeviceSpec.parse(_ctx.device)
    values = {"device_target": spec.target, "device_id": spec.index, "mode": _ctx.mode}
    if key not in values:
        raise ValueError(f"For 'get_context', the key must be one of {sorted(values)}, but got {key!r}.")
    return values[key]


def set_seed(seed: int) -> None:
    """Seed the host generator that every initializer and random op draws from.

    Raises:
        ValueError: ``seed`` is not a non-negative int.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"For 'set_seed', 'seed' must be a non-negative int, but got {seed!r}.")
    _ctx.seed = seed
    _ctx.rng = np.random.default_rng(seed)


def get_seed() -> int | None:
    """The seed given to :func:`set_seed`, or None."""
    return _ctx.seed


def host_rng() -> np.random.Generator:
    """The host NumPy generator for initial weights and dropout masks."""
    return _ctx.rng
