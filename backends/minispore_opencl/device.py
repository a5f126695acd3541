"""Finding OpenCL devices: the availability probe and ``"OpenCL:<index>"`` selection.

PyOpenCL is imported inside these functions, never at module import, so that the
registry can list this backend on machines without it.

Devices are numbered across all platforms in one list: GPUs first, then every other
device (CPUs, accelerators), each group in platform order and then in the platform's
device order. ``"OpenCL"`` (index 0) takes the device that ``PYOPENCL_CTX`` names when
that variable is set, in PyOpenCL's ``"<platform>:<device>"`` syntax (an index or a
name fragment for each part); it never prompts.
"""

from __future__ import annotations

import os
from typing import Any

from minispore.backend.protocol import Availability

INSTALL_HINT = "pip install 'minispore[opencl]' (brings PyOpenCL and the PoCL CPU driver)"
DRIVER_HINT = (
    "install an OpenCL driver: your GPU vendor's, or PoCL for the CPU with 'pip install pocl-binary-distribution'"
)


def all_devices() -> list[Any]:
    """Every OpenCL device, GPUs first (see the module docstring for the order).

    Raises:
        ImportError: PyOpenCL is not installed.
        RuntimeError: the OpenCL loader finds no platform.
    """
    import pyopencl as cl

    try:
        platforms = cl.get_platforms()
    except cl.Error as exc:  # the ICD loader reports "no platform" as an error
        raise RuntimeError(f"no OpenCL platform was found ({exc})") from exc
    devices = []
    for platform in platforms:
        try:
            devices += platform.get_devices()
        except cl.Error:  # a platform without devices reports DEVICE_NOT_FOUND
            continue
    gpus = [d for d in devices if d.type & cl.device_type.GPU]
    return gpus + [d for d in devices if not d.type & cl.device_type.GPU]


def probe() -> Availability:
    """Whether PyOpenCL is importable and sees at least one device; never raises."""
    try:
        devices = all_devices()
    except ModuleNotFoundError as exc:
        if exc.name != "pyopencl":
            return Availability(False, f"PyOpenCL is installed but cannot be imported ({exc})", INSTALL_HINT)
        return Availability(False, "PyOpenCL is not installed", INSTALL_HINT)
    except ImportError as exc:
        return Availability(False, f"PyOpenCL is installed but cannot be imported ({exc})", INSTALL_HINT)
    except RuntimeError as exc:
        return Availability(False, str(exc), DRIVER_HINT)
    except Exception as exc:  # a broken driver must not break minispore
        return Availability(False, f"the OpenCL driver failed ({type(exc).__name__}: {exc})", DRIVER_HINT)
    if not devices:
        return Availability(False, "OpenCL platforms exist but have no device", DRIVER_HINT)
    return Availability(True, devices=tuple(_describe(d) for d in devices))


def _describe(dev: Any) -> str:
    return f"{dev.name.strip()} ({dev.platform.name.strip()})"


def select(device_index: int) -> Any:
    """The ``pyopencl.Device`` for ``"OpenCL:<device_index>"``.

    Raises:
        ValueError: ``device_index`` is out of range, or ``PYOPENCL_CTX`` names no device.
    """
    spec = os.environ.get("PYOPENCL_CTX")
    if device_index == 0 and spec:
        return _from_env(spec)
    devices = all_devices()
    if not 0 <= device_index < len(devices):
        names = "; ".join(f"{i}: {d.name.strip()}" for i, d in enumerate(devices))
        raise ValueError(f"OpenCL device index {device_index} does not exist; this machine has {names}.")
    return devices[device_index]


def _from_env(spec: str) -> Any:
    import pyopencl as cl

    try:
        return cl.choose_devices(interactive=False, answers=spec.split(":"))[0]
    except Exception as exc:
        raise ValueError(
            f"PYOPENCL_CTX={spec!r} names no OpenCL device ({exc}); set it to '<platform>:<device>' "
            "such as '0:0', or unset it to use the first device."
        ) from exc
