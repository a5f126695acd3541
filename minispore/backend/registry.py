"""Finds backends through the ``minispore.backends`` entry-point group and loads them lazily.

An entry point's name is the device target it serves (``CPU``, ``GPU``, ``OpenCL`` or a
third party's own, such as ``Metal``) and its value is the backend class::

    [project.entry-points."minispore.backends"]
    OpenCL = "minispore_opencl:OpenCLBackend"

Importing minispore imports no backend module. A backend class is imported the first time
its device is asked for or listed, and its :meth:`~minispore.backend.Backend.availability`
probe decides whether it can run here. What to install or do when a device cannot run comes
from the backend itself (:attr:`~minispore.backend.Availability.fix`, else its
``install_hint``), so the registry knows nothing about any particular device.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import NamedTuple

from minispore.backend.protocol import Availability, Backend

ENTRY_POINT_GROUP = "minispore.backends"


class BackendUnavailableError(RuntimeError):
    """A device was asked for that is unknown here or cannot run on this machine.

    The message is one line: the device, the reason and the fix, so that a command-line
    tool can print it as its whole error output.
    """


@dataclass(frozen=True)
class DeviceSpec:
    """A parsed device string such as ``"OpenCL:1"``.

    Attributes:
        target: the device target as written (``"OpenCL"``); looked up case-insensitively.
        index: the device index, 0 when the string has no ``":N"`` suffix.
    """

    target: str
    index: int

    @classmethod
    def parse(cls, device: str) -> DeviceSpec:
        """Split ``"TARGET[:INDEX]"`` into its parts.

        Raises:
            ValueError: ``device`` is not a non-empty string, or its index is not a
                non-negative integer.

        Example:
            >>> DeviceSpec.parse("OpenCL:1")
            DeviceSpec(target='OpenCL', index=1)
        """
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
    """An installed backend: its device target as its provider spells it, its loader, its package."""

    target: str
    load: Callable[[], type[Backend]]
    provider: str


_manual: dict[str, _Entry] = {}
_instances: dict[tuple[str, int], Backend] = {}


def _discovered() -> dict[str, _Entry]:
    found: dict[str, _Entry] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        found.setdefault(ep.name.lower(), _Entry(ep.name, ep.load, dist.name if dist is not None else ""))
    found.update(_manual)
    return found


def register_backend(target: str, loader: Callable[[], type[Backend]]) -> None:
    """Register a backend class under a device target without an entry point.

    Entry points are the normal way; this serves tests and interactive sessions.
    ``loader`` is called lazily and returns the backend class.
    """
    with _lock:
        _manual[target.lower()] = _Entry(target, loader, "")
        for key in [k for k in _instances if k[0] == target.lower()]:
            del _instances[key]


def _load(entry: _Entry) -> type[Backend] | Availability:
    try:
        return entry.load()
    except Exception as exc:  # a broken plugin must not break minispore
        package = f"the {entry.provider!r} package" if entry.provider else "the package that provides it"
        return Availability(False, f"its module failed to import ({type(exc).__name__}: {exc})", f"reinstall {package}")


def _probe(backend: type[Backend]) -> Availability:
    """The backend's availability, with its ``install_hint`` as the fix when the probe gave none."""
    hint = getattr(backend, "install_hint", "") or "reinstall the package that provides it"
    try:
        found = backend.availability()
    except Exception as exc:
        return Availability(False, f"its probe raised {type(exc).__name__}: {exc}", hint)
    if not found.available and not found.fix:
        return Availability(False, found.reason, hint, found.devices)
    return found


def available_backends() -> dict[str, Availability]:
    """Every installed backend by device target, with whether it can run here and why not.

    A backend that cannot run has a ``reason`` and a ``fix`` (the backend's own, or its
    ``install_hint``). Probing never raises: a plugin that fails to import or whose probe
    raises is listed as unavailable with the error.

    Example:
        >>> from minispore.backend import available_backends
        >>> available_backends()["CPU"].available
        True
    """
    result: dict[str, Availability] = {}
    for _, entry in sorted(_discovered().items()):
        loaded = _load(entry)
        if isinstance(loaded, Availability):
            result[entry.target] = loaded
        else:
            result[loaded.device_target] = _probe(loaded)
    return result


def _installed_summary() -> str:
    states = [f"{name}: {'available' if a.available else 'unavailable'}" for name, a in available_backends().items()]
    return "Installed devices: " + (", ".join(states) if states else "none") + "."


def get_backend(device: str) -> Backend:
    """The backend instance for a device string (``"CPU"``, ``"GPU:1"``, ``"OpenCL"``).

    Raises:
        ValueError: ``device`` is not a device string.
        BackendUnavailableError: no backend serves that device here; the one-line message
            says why, what fixes it and which devices are installed.

    Example:
        >>> from minispore.backend import get_backend
        >>> get_backend("CPU").device_target
        'CPU'
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
            f"No backend is installed for device {device!r}. To fix: install the package that provides it (it "
            f"registers a {ENTRY_POINT_GROUP!r} entry point named {spec.target!r}). {_installed_summary()}"
        )
    loaded = _load(entry)
    avail = loaded if isinstance(loaded, Availability) else _probe(loaded)
    if isinstance(loaded, Availability) or not avail.available:
        raise BackendUnavailableError(
            f"Device {device!r} is unavailable: {avail.reason}. To fix: {avail.fix}. {_installed_summary()}"
        )
    instance = loaded(spec.index)
    with _lock:
        return _instances.setdefault(key, instance)
