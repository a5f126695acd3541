"""The fused optimizer update on CuPy: one CUDA launch per parameter group.

Kernels are rendered from the update rules (:mod:`minispore_cupy.kernels`) and compiled
by NVRTC on first use. The gradients are read through a device table of pointers, kept
for the last few pointer sets (CuPy's memory pool hands the same blocks back step after
step, so the table is usually reused without a host-to-device copy).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from minispore.backend.protocol import Array, UpdateStep
from minispore_cupy.kernels import OPTIONS, update_source

THREADS = 256
TABLES = 8
"""Pointer tables kept on the device."""


class FusedUpdate:
    """Compiles kernels on first use and launches them."""

    def __init__(self, cupy: ModuleType) -> None:
        self._cp = cupy
        self._kernels: dict[str, Any] = {}
        self._tables: OrderedDict[tuple[int, ...], tuple[Array, Array]] = OrderedDict()

    def _kernel(self, source: str) -> Any:
        kernel = self._kernels.get(source)
        if kernel is None:
            kernel = self._kernels[source] = self._cp.RawModule(code=source, options=OPTIONS).get_function("update")
        return kernel

    def _table(self, grads: Sequence[Array]) -> tuple[Array, Array]:
        pointers = tuple(int(g.data.ptr) for g in grads)
        sizes = tuple(int(g.size) for g in grads)
        key = pointers + sizes
        found = self._tables.get(key)
        if found is None:
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
            found = (self._cp.asarray(np.array(pointers, dtype=np.uint64)), self._cp.asarray(starts))
            self._tables[key] = found
            if len(self._tables) > TABLES:
                self._tables.popitem(last=False)
        else:
            self._tables.move_to_end(key)
        return found

    def __call__(self, step: UpdateStep, param: Array, states: Sequence[Array], grads: Sequence[Array]) -> None:
        n = int(param.shape[0])
        grads = [g if g.flags.c_contiguous else self._cp.ascontiguousarray(g) for g in grads]
        if sum(int(g.size) for g in grads) != n or any(g.dtype != param.dtype for g in grads):
            raise ValueError(f"For 'fused_update', the gradients must be {param.dtype} arrays of {n} elements in all.")
        if n == 0:
            return
        source = update_source(step.rule, step.program(False), step.program(True), str(param.dtype))
        pointers, starts = self._table(grads)
        args = (
            param,
            *states,
            pointers,
            starts,
            np.int64(len(grads)),
            np.int64(n),
            np.int64(step.decay_count),
            *(np.float32(s) for s in step.scalars),
        )
        self._kernel(source)(((n + THREADS - 1) // THREADS,), (THREADS,), args)
