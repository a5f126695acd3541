"""The cache-blocked, in-place NumPy implementation of the fused ``nn.Momentum`` update.

The buffers are walked in blocks of :data:`BLOCK` elements so that the block's slices of
``p``, ``v`` and ``g`` and one scratch block stay in the L2 cache while the five steps of
:class:`~minispore.backend.protocol.MomentumStep` run over them as in-place ufuncs. Large
buffers are split between threads: NumPy's ufuncs release the GIL.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from minispore.backend.protocol import MomentumStep

BLOCK = 32 * 1024
"""Elements per block: 4 float32 arrays of 128 KiB, well inside a 1 MiB L2."""

THREADED_MIN = 4 * 1024 * 1024
"""Buffers at least this long are split between threads."""

_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="minispore-momentum")
    return _pool


def centralize(grad: np.ndarray[Any, Any], step: MomentumStep) -> None:
    """Subtract each row's mean inside every centralized segment, in place."""
    for seg in step.centralized:
        rows = grad[seg.offset : seg.offset + seg.rows * seg.cols].reshape(seg.rows, seg.cols)
        rows -= rows.mean(axis=1, keepdims=True, dtype=rows.dtype)


def _update_range(
    p: np.ndarray[Any, Any],
    v: np.ndarray[Any, Any],
    g: np.ndarray[Any, Any],
    step: MomentumStep,
    start: int,
    stop: int,
    decay_before_centralize: bool,
) -> None:
    dtype = p.dtype.type
    lr, mom = dtype(step.lr), dtype(step.momentum)
    wd = dtype(step.weight_decay)
    scale = None if step.grad_scale is None else dtype(step.grad_scale)
    scratch = np.empty(min(BLOCK, stop - start), dtype=p.dtype)
    for lo in range(start, stop, BLOCK):
        hi = min(lo + BLOCK, stop)
        pb, vb, gb, tb = p[lo:hi], v[lo:hi], g[lo:hi], scratch[: hi - lo]
        if decay_before_centralize and lo < step.decay_count:
            d = min(hi, step.decay_count) - lo
            np.multiply(pb[:d], wd, out=tb[:d])
            np.add(tb[:d], gb[:d], out=gb[:d])
        if scale is not None:
            np.multiply(gb, scale, out=gb)
        np.multiply(vb, mom, out=vb)
        np.add(vb, gb, out=vb)
        if step.nesterov:
            np.multiply(gb, lr, out=gb)
            np.multiply(vb, mom, out=tb)
            np.multiply(tb, lr, out=tb)
            np.add(gb, tb, out=tb)
        else:
            np.multiply(vb, lr, out=tb)
        np.subtract(pb, tb, out=pb)


def fused_momentum(
    p: np.ndarray[Any, Any], v: np.ndarray[Any, Any], g: np.ndarray[Any, Any], step: MomentumStep
) -> None:
    """Apply :class:`MomentumStep` to flat buffers in place (``g`` is clobbered)."""
    n = p.shape[0]
    if step.centralized:
        # Centralization needs each row's decayed gradient complete before the mean, so
        # decay runs as its own pass here; the rest stays blocked.
        if step.decay_count:
            d = step.decay_count
            g[:d] += p[:d] * p.dtype.type(step.weight_decay)
        centralize(g, step)
        _update_range(p, v, g, step, 0, n, decay_before_centralize=False)
        return
    if n < THREADED_MIN or (os.cpu_count() or 1) < 2:
        _update_range(p, v, g, step, 0, n, decay_before_centralize=True)
        return
    workers = os.cpu_count() or 1
    chunk = -(-n // workers // BLOCK) * BLOCK
    futures = [
        _executor().submit(_update_range, p, v, g, step, lo, min(lo + chunk, n), True) for lo in range(0, n, chunk)
    ]
    for f in futures:
        f.result()
