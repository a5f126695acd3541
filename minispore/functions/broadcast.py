"""Reducing a broadcast gradient back to an operand's shape."""

from __future__ import annotations

from minispore.backend.protocol import Array, Backend, ReduceOp, Shape


def unbroadcast(backend: Backend, grad: Array, shape: Shape) -> Array:
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``."""
    if tuple(grad.shape) == tuple(shape):
        return grad
    lead = len(grad.shape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    summed = backend.reduce(ReduceOp.SUM, grad, axes, keepdims=False) if axes else grad
    return backend.reshape(summed, tuple(shape))
