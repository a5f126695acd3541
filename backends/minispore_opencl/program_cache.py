"""Compiled OpenCL programs kept on disk, so that a new process skips the compiler.

PyOpenCL leaves caching to drivers that have their own (PoCL does), but PoCL still runs
its front end on every build from source: about 140 ms a program when its cache is warm,
2 s when cold, and a LeNet5 step uses some 25 programs. Building from the device binary
takes about 1 ms. Binaries are stored under ``$XDG_CACHE_HOME/minispore/opencl`` (or
``~/.cache/...``), one file per program, named by a hash of everything that determines
the binary: the source, the build options, the device, its driver and the platform.
``MINISPORE_OPENCL_CACHE=0`` turns the cache off. The window kernels are built per window
geometry, so the folder is kept under :data:`LIMIT_BYTES`: each store removes the least
recently used binaries beyond it (a binary read from the cache counts as used).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import pyopencl as cl

DISABLE_VARIABLE = "MINISPORE_OPENCL_CACHE"

LIMIT_BYTES = 256 << 20
"""The most the cache folder holds after a store; pruning goes down to three quarters of it."""


def cache_dir() -> Path | None:
    """Where binaries are kept, or None when the cache is off."""
    if os.environ.get(DISABLE_VARIABLE, "1") == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "minispore" / "opencl"


def _key(device: Any, source: str, options: list[str]) -> str:
    parts = [
        source,
        " ".join(options),
        device.name,
        device.vendor,
        device.driver_version,
        device.platform.version,
        cl.VERSION_TEXT,
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def build(context: Any, device: Any, source: str, options: list[str]) -> Any:
    """Program ``source`` built for ``device``: from the stored binary when there is one."""
    folder = cache_dir()
    path = None if folder is None else folder / f"{_key(device, source, options)}.bin"
    if path is not None and path.is_file():
        try:
            program = cl.Program(context, [device], [path.read_bytes()]).build(options=options)
        except (cl.Error, OSError):
            path.unlink(missing_ok=True)  # stale or unreadable: rebuild it below
        else:
            _touch(path)
            return program
    program = cl.Program(context, source).build(options=options)
    if path is not None:
        _store(path, program.get_info(cl.program_info.BINARIES)[0])
        _prune(path.parent)
    return program


def _touch(path: Path) -> None:
    """Mark ``path`` as used now (its modification time orders the pruning)."""
    try:
        os.utime(path)
    except OSError:
        return


def _prune(folder: Path) -> None:
    """Remove the least recently used binaries while ``folder`` holds more than :data:`LIMIT_BYTES`."""
    try:
        entries = []
        for entry in os.scandir(folder):
            if entry.name.endswith(".bin"):
                info = entry.stat()
                entries.append((info.st_mtime, info.st_size, entry.path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    if total <= LIMIT_BYTES:
        return
    for _, size, name in sorted(entries):
        try:
            os.unlink(name)
        except OSError:
            continue
        total -= size
        if total <= LIMIT_BYTES * 3 // 4:
            return


def _store(path: Path, binary: bytes) -> None:
    """Write ``binary`` atomically; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(binary)
        os.replace(tmp.name, path)
    except OSError:
        return
