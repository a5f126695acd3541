"""The cache-blocked, in-place NumPy implementation of the fused ``nn.Momentum`` update.

The flat parameter and moment buffers are walked in blocks of :data:`BLOCK` elements, and
each block reads its gradient straight from the gradient tensor it belongs to, so large
gradients are never copied into a flat buffer (small ones are packed together). Inside a block the five steps of
:class:`~minispore.backend.protocol.MomentumStep` run as in-place ufuncs on slices that
stay in the L2 cache; the gradients are only read (intermediates go to two scratch
blocks). Large groups are split between threads: NumPy's ufuncs release the GIL.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from minispore.backend.protocol import MomentumStep

BLOCK = 32 * 1024
"""Elements per block: 5 float32 slices of 128 KiB, well inside a 1 MiB L2."""

THREADED_MIN = 4 * 1024 * 1024
"""Groups at least this long are split between threads."""

Vector = np.ndarray[Any, Any]

_WORKERS = os.cpu_count() or 1
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="minispore-momentum")
    return _pool


class _Scalars:
    """The step's hyper-parameters converted once to the buffers' dtype."""

    def __init__(self, step: MomentumStep, dtype: type[np.generic]) -> None:
        self.wd = dtype(step.weight_decay)
        self.scale = None if step.grad_scale is None else dtype(step.grad_scale)
        self.mom = dtype(step.momentum)
        self.lr = dtype(step.lr)
        self.nesterov = step.nesterov


def _block(p: Vector, v: Vector, g: Vector, t1: Vector, t2: Vector, k: _Scalars, decayed: bool) -> None:
    """One homogeneous block (all decayed or none), in MindSpore's order; ``g`` is read only."""
    w = g
    if decayed:
        np.multiply(p, k.wd, out=t1)
        np.add(t1, g, out=t1)
        w = t1
    if k.scale is not None:
        np.multiply(w, k.scale, out=t1)
        w = t1
    np.multiply(v, k.mom, out=v)
    np.add(v, w, out=v)
    if k.nesterov:
        np.multiply(w, k.lr, out=t1)
        np.multiply(v, k.mom, out=t2)
        np.multiply(t2, k.lr, out=t2)
        np.add(t1, t2, out=t2)
    else:
        np.multiply(v, k.lr, out=t2)
    np.subtract(p, t2, out=p)


def _walk(
    p: Vector, v: Vector, pieces: Sequence[tuple[int, Vector, bool]], step: MomentumStep, start: int, stop: int
) -> None:
    """Update ``[start, stop)`` of the flat buffers; ``pieces`` are ``(offset, gradient, decay)``.

    ``decay`` is False for a piece whose gradient already holds the decayed and
    centralized values.
    """
    scratch = np.empty((2, min(BLOCK, max(stop - start, 1))), dtype=p.dtype)
    t1, t2 = scratch[0], scratch[1]
    k = _Scalars(step, p.dtype.type)
    for offset, grad, decay in pieces:
        lo, hi = max(start, offset), min(stop, offset + grad.shape[0])
        if lo >= hi:
            continue
        edge = min(max(step.decay_count, lo), hi) if decay else lo
        for a, b, decayed in ((lo, edge, True), (edge, hi, False)):
            for s in range(a, b, BLOCK):
                e = min(s + BLOCK, b)
                n = e - s
                _block(p[s:e], v[s:e], grad[s - offset : e - offset], t1[:n], t2[:n], k, decayed)


def _centralized(p: Vector, offset: int, grad: Vector, step: MomentumStep) -> Vector | None:
    """The decayed, centralized gradient of a tensor that centralization applies to, else None."""
    size = grad.shape[0]
    segments = [s for s in step.centralized if offset <= s.offset < offset + size]
    if not segments:
        return None
    work = np.array(grad, copy=True)
    d = min(max(step.decay_count - offset, 0), size)
    if d:
        work[:d] = p[offset : offset + d] * p.dtype.type(step.weight_decay) + work[:d]
    for seg in segments:
        rows = work[seg.offset - offset : seg.offset - offset + seg.rows * seg.cols].reshape(seg.rows, seg.cols)
        rows -= rows.mean(axis=1, keepdims=True, dtype=rows.dtype)
    return work


SMALL = BLOCK
"""Gradients shorter than a block are packed together (one copy, cheap at that size), so
that a run of small tensors (biases, LeNet's layers) costs one block rather than a block
each; longer ones are read in place."""


PACK_ALL = 8 * BLOCK
"""Groups up to this long pack all their gradients with one concatenate: at that size the
copy costs less than the per-tensor blocks it saves."""


def _pieces(p: Vector, grads: Sequence[Vector], step: MomentumStep) -> list[tuple[int, Vector, bool]]:
    """``(offset, gradient, decay)`` runs covering the buffers, small neighbours packed."""
    pieces: list[tuple[int, Vector, bool]] = []
    pending: list[Vector] = []
    pending_at = 0

    def flush() -> None:
        if pending:
            pieces.append((pending_at, pending[0] if len(pending) == 1 else np.concatenate(pending), True))
            pending.clear()

    flats = [g.reshape(-1) for g in grads]  # a view when contiguous, else a contiguous copy
    if not step.centralized and p.shape[0] <= PACK_ALL:
        return [(0, flats[0] if len(flats) == 1 else np.concatenate(flats), True)]
    offset = 0
    for flat in flats:
        work = _centralized(p, offset, flat, step) if step.centralized else None
        if work is not None:
            flush()
            pieces.append((offset, work, False))
        elif flat.shape[0] < SMALL:
            if not pending:
                pending_at = offset
            pending.append(flat)
        else:
            flush()
            pieces.append((offset, flat, True))
        offset += flat.shape[0]
    flush()
    if offset != p.shape[0]:
        raise ValueError(
            f"For 'fused_momentum', the gradients hold {offset} elements but the buffers hold {p.shape[0]}."
        )
    return pieces


def fused_momentum(p: Vector, v: Vector, grads: Sequence[Vector], step: MomentumStep) -> None:
    """Apply :class:`MomentumStep` to the flat buffers ``p`` and ``v`` in place.

    ``grads`` are the group's gradient tensors in buffer order; they are read, never
    written.
    """
    pieces = _pieces(p, grads, step)
    n = p.shape[0]
    workers = _WORKERS
    if n < THREADED_MIN or workers < 2:
        _walk(p, v, pieces, step, 0, n)
        return
    chunk = -(-n // workers // BLOCK) * BLOCK
    futures = [_executor().submit(_walk, p, v, pieces, step, lo, min(lo + chunk, n)) for lo in range(0, n, chunk)]
    for f in futures:
        f.result()
