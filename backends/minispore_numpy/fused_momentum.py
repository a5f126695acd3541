"""The cache-blocked, in-place NumPy implementation of the fused ``nn.Momentum`` update.

The flat parameter and moment buffers are walked in blocks of :data:`BLOCK` elements, and
each block reads its gradient straight from the gradient tensor it belongs to, so the
gradients are never copied into a flat buffer. Inside a block the five steps of
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

_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="minispore-momentum")
    return _pool


def _block(p: Vector, v: Vector, g: Vector, t1: Vector, t2: Vector, step: MomentumStep, decayed: bool) -> None:
    """One homogeneous block (all decayed or none), in MindSpore's order; ``g`` is read only."""
    dtype = p.dtype.type
    w = g
    if decayed:
        np.multiply(p, dtype(step.weight_decay), out=t1)
        np.add(t1, g, out=t1)
        w = t1
    if step.grad_scale is not None:
        np.multiply(w, dtype(step.grad_scale), out=t1)
        w = t1
    mom, lr = dtype(step.momentum), dtype(step.lr)
    np.multiply(v, mom, out=v)
    np.add(v, w, out=v)
    if step.nesterov:
        np.multiply(w, lr, out=t1)
        np.multiply(v, mom, out=t2)
        np.multiply(t2, lr, out=t2)
        np.add(t1, t2, out=t2)
    else:
        np.multiply(v, lr, out=t2)
    np.subtract(p, t2, out=p)


def _walk(
    p: Vector, v: Vector, pieces: Sequence[tuple[int, Vector, bool]], step: MomentumStep, start: int, stop: int
) -> None:
    """Update ``[start, stop)`` of the flat buffers; ``pieces`` are ``(offset, gradient, decay)``.

    ``decay`` is False for a piece whose gradient already holds the decayed and
    centralized values.
    """
    scratch = np.empty((2, min(BLOCK, max(stop - start, 1))), dtype=p.dtype)
    for offset, grad, decay in pieces:
        lo, hi = max(start, offset), min(stop, offset + grad.shape[0])
        if lo >= hi:
            continue
        edge = min(max(step.decay_count, lo), hi) if decay else lo
        for a, b, decayed in ((lo, edge, True), (edge, hi, False)):
            for s in range(a, b, BLOCK):
                e = min(s + BLOCK, b)
                n = e - s
                _block(p[s:e], v[s:e], grad[s - offset : e - offset], scratch[0, :n], scratch[1, :n], step, decayed)


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


def fused_momentum(p: Vector, v: Vector, grads: Sequence[Vector], step: MomentumStep) -> None:
    """Apply :class:`MomentumStep` to the flat buffers ``p`` and ``v`` in place.

    ``grads`` are the group's gradient tensors in buffer order; they are read, never
    written.
    """
    pieces: list[tuple[int, Vector, bool]] = []
    offset = 0
    for g in grads:
        flat = np.ascontiguousarray(g).reshape(-1)
        work = _centralized(p, offset, flat, step) if step.centralized else None
        pieces.append((offset, flat, True) if work is None else (offset, work, False))
        offset += flat.shape[0]
    if offset != p.shape[0]:
        raise ValueError(
            f"For 'fused_momentum', the gradients hold {offset} elements but the buffers hold {p.shape[0]}."
        )
    n = p.shape[0]
    workers = os.cpu_count() or 1
    if n < THREADED_MIN or workers < 2:
        _walk(p, v, pieces, step, 0, n)
        return
    chunk = -(-n // workers // BLOCK) * BLOCK
    futures = [_executor().submit(_walk, p, v, pieces, step, lo, min(lo + chunk, n)) for lo in range(0, n, chunk)]
    for f in futures:
        f.result()
