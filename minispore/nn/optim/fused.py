"""The fused update on any backend's primitives: the default for backends without a kernel.

It gathers the gradients into one flat array, then runs the rule's program
(:mod:`.rules.evaluate`) twice, over the decayed prefix and over the rest, one primitive
call per operation, and writes the results into the flat buffers. Every operation is a
float32 primitive, so the results are the compiled kernels' bit for bit; only the speed
differs. A third-party backend passes the conformance suite with this alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.backend.protocol import Array, Backend, BinaryOp, UnaryOp, UpdateStep
from minispore.nn.optim.rules.evaluate import run

_F32 = np.dtype(np.float32)


class _Primitives:
    """:class:`~.rules.evaluate.Arithmetic` on a backend's primitives."""

    def __init__(
        self, backend: Backend, views: dict[str, Array], scalars: dict[str, float], storage: np.dtype[Any]
    ) -> None:
        self.backend = backend
        self.views = views
        self.scalars = scalars
        self.storage = storage

    def load(self, buffer: str) -> Array:
        x = self.views[buffer]
        return x if x.dtype == _F32 else self.backend.cast(x, _F32)

    def scalar(self, name: str) -> Array:
        return self.backend.full((), self.scalars[name], _F32)

    def const(self, value: float) -> Array:
        return self.backend.full((), value, _F32)

    def apply(self, op: str, args: Sequence[Array], node: int) -> Array:
        b = self.backend
        if op == "sqrt":
            return b.unary(UnaryOp.SQRT, args[0])
        if op == "round":
            return args[0] if self.storage != np.float16 else b.cast(b.cast(args[0], self.storage), _F32)
        if op == "select":
            positive = b.binary(BinaryOp.GT, args[0], b.full((), 0.0, _F32))
            return b.where(positive, args[1], args[2])
        return b.binary(BinaryOp(op), args[0], args[1])


def default_fused_update(
    backend: Backend, step: UpdateStep, param: Array, states: Sequence[Array], grads: Sequence[Array]
) -> None:
    """:meth:`~minispore.backend.protocol.FusedUpdate.fused_update` on ``backend``'s primitives."""
    n = int(param.shape[0])
    sizes = [int(np.prod(g.shape, dtype=np.int64)) for g in grads]
    if sum(sizes) != n:
        raise ValueError(f"For 'fused_update', the gradients hold {sum(sizes)} elements but the buffers hold {n}.")
    flat = [backend.reshape(g, (size,)) for g, size in zip(grads, sizes)]
    grad = flat[0] if len(flat) == 1 else backend.concat(flat, 0)
    storage = np.dtype(param.dtype)
    buffers = {"param": param, **dict(zip(step.rule.states, states))}
    scalars = dict(zip(step.rule.all_scalars, step.scalars))
    for decayed, lo, hi in ((True, 0, step.decay_count), (False, step.decay_count, n)):
        if lo == hi:
            continue
        views = {name: backend.view(buffer, lo, (hi - lo,)) for name, buffer in buffers.items()}
        views["grad"] = backend.index(grad, (slice(lo, hi, 1),))
        with np.errstate(all="ignore"):  # host backends: inf and NaN flow on, as in the kernels
            stores = run(step.program(decayed), _Primitives(backend, views, scalars, storage))
        for name, value in stores:
            backend.copy_into(views[name], value if value.dtype == storage else backend.cast(value, storage))
