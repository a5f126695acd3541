"""Finds backends through the ``minispore.backends`` entry-point group and loads them lazily.

An entry point's name is the device target it serves (``CPU``, ``GPU``, ``OpenCL`` or a
third party's own, such as ``Metal``) and its value is the backend class::

    [project.entry-points."minispore.backends"]
    OpenCL = "minispore_opencl:OpenCLBackend"

Importing minispore imports no backend module. A backend class is imported the first time
its device is asked for or listed, and its :meth:`~minispore.backend.Backend.availability`
probe decides whether it can run here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import NamedTuple

from minispore.backend.protocol import Availability, Backend

ENTRY_POINT_GROUP = "minispore.backends"

_INSTALL_HINTS = {
    "cpu": "pip install minispore",
    "gpu": "pip install 'minispore[cuda]' on a machine with an NVIDIA GPU and driver",
    "opencl": "pip install 'minispore[opencl]' (brings PyOpenCL and the PoCL CPU driver)",
}


class BackendUnavailableError(RuntimeError):
    """A device was asked for that is unknown here or cannot run on this machine."""


@dataclass(frozen=True)
class DeviceSpec:
    """A parsed device string such as ``"OpenCL:1"``."""

    target: str
    index: int

    @classmethod
    def parse(cls, device: str) -> DeviceSpec:
        if not isinstance(device, str) or not device.strip():
            raise ValueError(
                f"A device must be a string such as 'CPU', 'GPU', 'OpenCL' or 'OpenCL:1', but got {device!r}."
            )
        name, _, idx = device.strip().partition(":")
        if idx and not idx.isdigit():
            raise ValueError(f"The device index in {device!r} must be a non-negative integer, as in 'OpenCL:1'.")
        return cls(name, int(idx) if idx else 0)


_lock = threading.Lock()


class _Entry(NamedTuple):
    """An installed backend: its device target as its provider spells it, and its loader."""

    target: str
    load: Callable[[], type[Backend]]


_manual: dict[str, _Entry] = {}
_instances: dict[tuple[str, int], Backend] = {}


def _discovered() -> dict[str, _Entry]:
    found: dict[str, _Entry] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name.lower(), _Entry(ep.name, ep.load))
    found.update(_manual)
    return found


def register_backend(target: str, loader: Callable[[], type[Backend]]) -> None:
    """Register a backend class under a device target without an entry point.

    Entry points are the normal way; this serves tests and interactive sessions.
    ``loader`` is called lazily and returns the backend class.
    """
    with _lock:
        _manual[target.lower()] = _Entry(target, loader)
        for key in [k for k in _instances if k[0] == target.lower()]:
            del _instances[key]


def _load(entry: _Entry) -> type[Backend] | Availability:
    try:
        return entry.load()
    except Exception as exc:  # a broken plugin must not break minispore
        hint = _INSTALL_HINTS.get(entry.target.lower(), "reinstall the package that provides it")
        return Availability(False, f"its module failed to import ({type(exc).__name__}: {exc}); {hint}")


def available_backends() -> dict[str, Availability]:
    """Every installed backend by device target, with whether it can run here and why not."""
    result: dict[str, Availability] = {}
    for _, entry in sorted(_discovered().items()):
        loaded = _load(entry)
        if isinstance(loaded, Availability):
            result[entry.target] = loaded
            continue
        try:
            result[loaded.device_target] = loaded.availability()
        except Exception as exc:
            result[loaded.device_target] = Availability(False, f"its probe raised {type(exc).__name__}: {exc}")
    return result


def _describe_installed() -> str:
    installed = available_backends()
    lines = [
        f"  {name}: " + ("available" if avail.available else f"unavailable: {avail.reason}")
        for name, avail in installed.items()
    ]
    missing = [t for t in ("CPU", "GPU", "OpenCL") if t.lower() not in {n.lower() for n in installed}]
    for t in missing:
        lines.append(f"  {t}: not installed; {_INSTALL_HINTS[t.lower()]}")
    return "\n".join(lines)


def get_backend(device: str) -> Backend:
    """The backend instance for a device string (``"CPU"``, ``"GPU:1"``, ``"OpenCL"``).

    Raises:
        ValueError: ``device`` is not a device string.
        BackendUnavailableError: no backend serves that device here; the message lists
            what is installed and how to get the rest.
    """
    spec = DeviceSpec.parse(device)
    key = (spec.target.lower(), spec.index)
    with _lock:
        cached = _instances.get(key)
    if cached is not None:
        return cached
    entry = _discovered().get(key[0])
    if entry is None:
        raise BackendUnavailableError(
            f"No backend is installed for device {device!r}; install the package that provides it (it registers "
            f"a {ENTRY_POINT_GROUP!r} entry point named {spec.target!r}). Installed devices:\n{_describe_installed()}"
        )
    loaded = _load(entry)
    if isinstance(loaded, Availability):
        raise BackendUnavailableError(f"The {spec.target} backend cannot be used: {loaded.reason}")
    avail = loaded.availability()
    if not avail.available:
        raise BackendUnavailableError(
            f"The {loaded.device_target} backend is installed but cannot run here: {avail.reason}. "
            f"Installed devices:\n{_describe_installed()}"
        )
    instance = loaded(spec.index)
    with _lock:
        return _instances.setdefault(key, instance)
