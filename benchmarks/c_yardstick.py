"""A fused momentum loop in C, compiled with the system compiler: the speed of memory.

Read p, v, g and write p, v once per element. The one-thread loop is the yardstick the
optimizer goals are stated against; the same loop split over two threads (two halves of
the range, as the compiled kernel splits a large group) shows how much a second core adds
on this machine, the ceiling for any two-thread kernel.
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
#include <pthread.h>
#include <stddef.h>

void momentum(float *restrict p, float *restrict v, const float *restrict g,
              size_t n, float lr, float u) {
    for (size_t i = 0; i < n; ++i) {
        float vi = v[i] * u + g[i];
        v[i] = vi;
        p[i] = p[i] - vi * lr;
    }
}

typedef struct { float *p, *v; const float *g; size_t n; float lr, u; } half_t;

static void *run_half(void *arg) {
    half_t *h = (half_t *)arg;
    momentum(h->p, h->v, h->g, h->n, h->lr, h->u);
    return NULL;
}

void momentum2(float *restrict p, float *restrict v, const float *restrict g,
               size_t n, float lr, float u) {
    size_t mid = (n / 2 + 1023) / 1024 * 1024;
    if (mid > n) mid = n;
    half_t second = {p + mid, v + mid, g + mid, n - mid, lr, u};
    pthread_t id;
    int started = pthread_create(&id, NULL, run_half, &second) == 0;
    momentum(p, v, g, mid, lr, u);
    if (started) pthread_join(id, NULL);
    else run_half(&second);
}
"""

Loop = Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any], float, float], None]


def build_loops() -> dict[int, Loop] | None:
    """The loop on one and on two threads (``cc -O3 -march=native``); None without a compiler."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    tmp = Path(tempfile.mkdtemp(prefix="minispore-bench-"))
    (tmp / "momentum.c").write_text(SOURCE)
    lib_path = tmp / "momentum.so"
    flags = ["-O3", "-march=native", "-ffp-contract=off", "-shared", "-fPIC", "-pthread"]
    subprocess.run([cc, *flags, "-o", str(lib_path), str(tmp / "momentum.c")], check=True)
    lib = ctypes.CDLL(str(lib_path))
    signature: list[Any] = [ctypes.c_void_p] * 3 + [ctypes.c_size_t, ctypes.c_float, ctypes.c_float]
    loops: dict[int, Loop] = {}
    for threads, fn in ((1, lib.momentum), (2, lib.momentum2)):
        fn.argtypes = signature

        def run(p: Any, v: Any, g: Any, lr: float, u: float, fn: Any = fn) -> None:
            fn(p.ctypes.data, v.ctypes.data, g.ctypes.data, p.size, lr, u)

        loops[threads] = run
    return loops
