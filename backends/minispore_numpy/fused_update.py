"""The NumPy backend's fused optimizer update: the compiled kernels, or NumPy blocks.

With the compiled library (:mod:`minispore_numpy.native`) one C call updates a whole
group: the generated loop of the rule reads each gradient where autograd left it
(a pointer table) and writes the flat buffers in one pass, on two threads or more above
a million elements. Without it (no compiler at install time, ``MINISPORE_NATIVE=0``, or
float16 buffers) the rule's program runs as NumPy ufuncs over cache-sized blocks, into
scratch slots reused as values die. Both round every operation to float32, in the
rule's order, and give the same bits.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.backend.protocol import UpdateStep
from minispore.nn.optim.rules.evaluate import run, scratch_slots
from minispore_numpy.native import update_module

Vector = np.ndarray[Any, Any]

BLOCK = 128 * 1024
"""Elements per block of the NumPy fallback (512 KiB per float32 slice): on the ResNet-50 set,
one thread, ``benchmarks/fallback_block.py`` measured 32K 55.9 ms, 64K 51.3 ms and 128K
47.7 ms per update."""

THREADS = min(os.cpu_count() or 1, 16)
"""Threads the compiled kernel may use (it only splits groups of a million elements or more)."""

_F32 = np.dtype(np.float32)
_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "maximum": np.maximum}


def _kernel_index() -> dict[tuple[str, str], int]:
    if update_module is None:
        return {}
    return {(name, fmt): k for k, (name, fmt) in enumerate(update_module.kernels())}


_KERNELS = _kernel_index()
_FORMATS = {np.dtype(np.float32): "f", np.dtype(np.float64): "d"}
_CHOSEN: dict[tuple[str, frozenset[str], str], tuple[int, int]] = {}
"""(rule, options, format) -> the compiled kernels for the undecayed and the decayed elements."""


def fused_update(step: UpdateStep, param: Vector, states: Sequence[Vector], grads: Sequence[Vector]) -> None:
    """:meth:`~minispore.backend.protocol.FusedUpdate.fused_update` on host arrays."""
    fmt = _FORMATS.get(param.dtype)
    if update_module is not None and fmt is not None:
        key = (step.rule.name, step.options, fmt)
        kernels = _CHOSEN.get(key)
        if kernels is None:
            kernels = _CHOSEN[key] = (_KERNELS[(step.program(False).key, fmt)], _KERNELS[(step.program(True).key, fmt)])
        plain, decay = kernels
        states = states if isinstance(states, tuple) else tuple(states)
        arrays = grads if isinstance(grads, list) else list(grads)
        try:
            update_module.update(plain, decay, param, states, arrays, step.decay_count, step.scalars, THREADS)
        except BufferError:  # a gradient that is not C-contiguous (a transposed or broadcast view)
            arrays = [np.ascontiguousarray(g) for g in grads]
            update_module.update(plain, decay, param, states, arrays, step.decay_count, step.scalars, THREADS)
        return
    _blocks(step, param, states, grads)


class _Block:
    """:class:`~minispore.nn.optim.rules.evaluate.Arithmetic` on one block of NumPy slices."""

    def __init__(
        self, views: dict[str, Vector], scalars: dict[str, np.float32], scratch: Vector, slots: list[int | None]
    ):
        self.views = views
        self.scalars = scalars
        self.scratch = scratch
        self.slots = slots
        self.n = views["param"].shape[0]
        self.storage = views["param"].dtype

    def load(self, buffer: str) -> Vector:
        x = self.views[buffer]
        return x if x.dtype == _F32 else x.astype(_F32)

    def scalar(self, name: str) -> np.float32:
        value: np.float32 = self.scalars[name]
        return value

    def const(self, value: float) -> np.float32:
        constant: np.float32 = np.float32(value)
        return constant

    def apply(self, op: str, args: Sequence[Any], node: int) -> Vector:
        slot = self.slots[node]
        assert slot is not None
        out = self.scratch[slot, : self.n]
        if op == "sqrt":
            np.sqrt(args[0], out=out)
        elif op == "round":
            np.copyto(out, np.asarray(args[0], dtype=self.storage) if self.storage == np.float16 else args[0])
        elif op == "select":  # out may share a slot with a or b: build the result first
            np.copyto(out, np.where(args[0] > 0, args[1], args[2]))
        else:
            _UFUNCS[op](args[0], args[1], out=out)
        return out


def _blocks(step: UpdateStep, param: Vector, states: Sequence[Vector], grads: Sequence[Vector]) -> None:
    n = param.shape[0]
    flat = [g.reshape(-1) for g in grads]
    grad = flat[0] if len(flat) == 1 else np.concatenate(flat)
    if grad.shape[0] != n:
        raise ValueError(f"For 'fused_update', the gradients hold {grad.shape[0]} elements but the buffers hold {n}.")
    buffers = {"param": param, "grad": grad, **dict(zip(step.rule.states, states))}
    scalars = {name: np.float32(v) for name, v in zip(step.rule.all_scalars, step.scalars)}
    scratch: Vector | None = None
    for decayed, lo, hi in ((True, 0, step.decay_count), (False, step.decay_count, n)):
        if lo == hi:
            continue
        program = step.program(decayed)
        slots, count = scratch_slots(program)
        if scratch is None or scratch.shape[0] < count:
            scratch = np.empty((count, min(BLOCK, n)), dtype=_F32)
        for s in range(lo, hi, BLOCK):
            e = min(s + BLOCK, hi)
            views = {name: buffer[s:e] for name, buffer in buffers.items()}
            with np.errstate(all="ignore"):  # like the kernels: inf and NaN flow on, without warnings
                stores = run(program, _Block(views, scalars, scratch, slots))
            for name, value in stores:
                np.copyto(views[name], value, casting="same_kind")
