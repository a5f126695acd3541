"""A single-threaded fused momentum loop in C, compiled with the system compiler.

It is the yardstick for "the speed of memory": read p, v, g, write p, v, once per element.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

SOURCE = r"""
#include <stddef.h>
void momentum(float *restrict p, float *restrict v, const float *restrict g,
              size_t n, float lr, float u) {
    for (size_t i = 0; i < n; ++i) {
        float vi = v[i] * u + g[i];
        v[i] = vi;
        p[i] = p[i] - vi * lr;
    }
}
"""


def build() -> Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any], float, float], None] | None:
    """Compile the loop (``cc -O3 -march=native``); None when no compiler is found."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    tmp = Path(tempfile.mkdtemp(prefix="minispore-bench-"))
    (tmp / "momentum.c").write_text(SOURCE)
    lib_path = tmp / "momentum.so"
    subprocess.run(
        [
            cc,
            "-O3",
            "-march=native",
            "-ffp-contract=off",
            "-shared",
            "-fPIC",
            "-o",
            str(lib_path),
            str(tmp / "momentum.c"),
        ],
        check=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.momentum.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_float,
        ctypes.c_float,
    ]

    def run(p: np.ndarray[Any, Any], v: np.ndarray[Any, Any], g: np.ndarray[Any, Any], lr: float, u: float) -> None:
        lib.momentum(p.ctypes.data, v.ctypes.data, g.ctypes.data, p.size, lr, u)

    return run
