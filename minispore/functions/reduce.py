"""Reductions along axes and their derivatives."""

from __future__ import annotations

from minispore.autograd import Function
from minispore.backend.protocol import ArgReduceOp, Array, BinaryOp, ReduceOp, Shape


def _keepdims_shape(shape: Shape, axes: tuple[int, ...]) -> Shape:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    """Sum over ``axes``; the gradient is broadcast back."""

    auto_precision = "float32"  # MindSpore's auto black list: SumExt

    def forward(self, x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
        self.shape, self.axes = tuple(x.shape), axes
        return self.backend.reduce(ReduceOp.SUM, x, axes, keepdims)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        kept = b.reshape(grad, _keepdims_shape(self.shape, self.axes))
        return (b.broadcast_to(kept, self.shape),)


class _Extremum(Function):
    """max/min: the gradient is shared equally among tied extrema (MindSpore's rule)."""

    op: ReduceOp

    def forward(self, x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
        self.x, self.axes = x, axes
        self.out = self.backend.reduce(self.op, x, axes, keepdims=True)
        return self.out if keepdims else self.backend.reshape(self.out, _drop(tuple(x.shape), axes))

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        shape = tuple(self.x.shape)
        hit = b.cast(b.binary(BinaryOp.EQ, self.x, self.out), grad.dtype)
        ties = b.reduce(ReduceOp.SUM, hit, self.axes, keepdims=True)
        share = b.binary(BinaryOp.DIV, b.reshape(grad, _keepdims_shape(shape, self.axes)), ties)
        return (b.binary(BinaryOp.MUL, hit, share),)


def _drop(shape: Shape, axes: tuple[int, ...]) -> Shape:
    return tuple(n for i, n in enumerate(shape) if i not in axes)


class Max(_Extremum):
    op = ReduceOp.MAX


class Min(_Extremum):
    op = ReduceOp.MIN


class ArgReduce(Function):
    """argmax/argmin (int32); not differentiable."""

    differentiable = False

    def forward(self, x: Array, op: ArgReduceOp, axis: int, keepdims: bool) -> Array:
        return self.backend.arg_reduce(op, x, axis, keepdims)
