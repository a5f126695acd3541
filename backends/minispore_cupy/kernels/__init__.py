"""CUDA C sources of the CuPy backend (read as text; compiled by NVRTC or nvcc)."""

from __future__ import annotations

from importlib.resources import files

KERNEL_DIR = files(__name__)


def source(name: str) -> str:
    """The text of the kernel source file ``name`` (``momentum.cu``, ``momentum_element.h``)."""
    return (KERNEL_DIR / name).read_text()


def momentum_defines(dtype_name: str, decay: bool, scale: bool, nesterov: bool) -> tuple[str, ...]:
    """The -D options that select one variant of the fused momentum kernel."""
    return (
        f"-DMS_T={dtype_name}",
        f"-DMS_DECAY={int(decay)}",
        f"-DMS_SCALE={int(scale)}",
        f"-DMS_NESTEROV={int(nesterov)}",
    )


MOMENTUM_VARIANTS = [
    (t, d, s, n) for t in ("float", "double") for d in (False, True) for s in (False, True) for n in (False, True)
]
